import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { freePort } from './free-port';
import { holdWhile, registerCleanup, setChildRef, settlesWithin, signalGroup, sleep } from './reaper';

export interface PrivateRedisOptions {
  /** Run with `--appendonly yes` (durable across kill/restart). Default false. */
  appendonly?: boolean;
  /** How long to wait for PING to answer (default 10 000 ms). */
  startTimeoutMs?: number;
  /** Extra `redis-server` arguments, appended after the defaults. */
  extraArgs?: string[];
}

const SHUTDOWN_GRACE_MS = 5_000;
const instances = new Set<PrivateRedis>();

/** Sends one inline command and resolves with the first reply line, or undefined on any failure. */
function rawCommand(port: number, command: string, timeoutMs = 1_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    let buffer = '';
    let settled = false;
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (value: string | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const eol = buffer.indexOf('\r\n');
      if (eol >= 0) done(buffer.slice(0, eol));
    });
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(buffer.length > 0 ? buffer : undefined));
  });
}

/**
 * A private `redis-server` for one test file: its own free port on 127.0.0.1 and its own temp dir.
 * Never touches the shared Redis on 6379.
 */
export class PrivateRedis {
  readonly url: string;
  private child: ChildProcess | undefined;
  private childExited: Promise<void> = Promise.resolve();
  private readonly clients = new Set<Redis>();
  private readonly logChunks: string[] = [];
  private removed = false;
  private unregister: () => void = () => undefined;
  private frozen = false;
  private readonly stopHooks: Array<() => Promise<void>> = [];

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly options: PrivateRedisOptions,
  ) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  /** Starts a fresh server on a free port in a new temp dir and resolves once PING answers. */
  static async start(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
    const reserved = (options.extraArgs ?? []).filter((a) => ['--port', '--bind', '--dir', '--daemonize'].includes(a));
    if (reserved.length > 0) throw new Error(`PrivateRedis: extraArgs may not set ${reserved.join(', ')}`);
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-redis-'));
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const instance = new PrivateRedis(await freePort(), dir, options);
      try {
        await instance.launch();
        instances.add(instance);
        return instance;
      } catch (err) {
        lastError = err;
        instance.unregister();
        // Someone grabbed the port between freePort() and bind: try another one.
        if (!/address already in use/i.test(instance.output())) break;
      }
    }
    await rm(dir, { recursive: true, force: true });
    throw lastError;
  }

  /** Stops every PrivateRedis still running in this process. */
  static async stopAll(): Promise<void> {
    await Promise.all([...instances].map((instance) => instance.stop()));
  }

  /** True while the redis-server process is alive. */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** pid of the current redis-server process, if running. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /** Everything redis-server printed (all runs). */
  output(): string {
    return this.logChunks.join('');
  }

  /** A new ioredis client for this server; closed by stop(). Extra options are merged in. */
  client(options: RedisOptions = {}): Redis {
    const client = new Redis({ host: '127.0.0.1', port: this.port, ...options });
    // Tests kill and restart the server on purpose; commands still reject, but don't spam stderr.
    client.on('error', () => undefined);
    this.clients.add(client);
    return client;
  }

  /** Runs `hook` when stop() is called (before the server stops), e.g. to stop what stands in for it. */
  onStop(hook: () => Promise<void>): void {
    this.stopHooks.push(hook);
  }

  /** Shuts down (SHUTDOWN NOSAVE, SIGKILL after 5 s), closes clients, removes the temp dir. Idempotent. */
  async stop(): Promise<void> {
    await Promise.all(this.stopHooks.splice(0).map((hook) => hook()));
    for (const client of this.clients) client.disconnect();
    this.clients.clear();
    await this.shutdown();
    instances.delete(this);
    this.unregister();
    if (!this.removed) {
      this.removed = true;
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  /**
   * SIGSTOP: the server keeps its port and connections but answers nothing, as a hung Redis or a
   * network dropping packets would look to clients. thaw() (or stop/restart) resumes it.
   */
  freeze(): void {
    if (!this.running || this.child === undefined) return;
    signalGroup(this.child.pid, 'SIGSTOP');
    this.frozen = true;
  }

  /** SIGCONT after freeze(); it answers again, with nothing lost. */
  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    signalGroup(this.child?.pid, 'SIGCONT');
  }

  /** SIGKILL, as a crash would; the dir and clients stay, so restart() can bring it back. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!this.running || child === undefined) return;
    signalGroup(child.pid, 'SIGKILL');
    await holdWhile(child, this.childExited);
  }

  /** Shuts down gracefully if running, then starts again on the same port and dir. */
  async restart(): Promise<void> {
    if (this.removed) throw new Error(`PrivateRedis ${this.url}: restart() after stop()`);
    await this.shutdown();
    const deadline = Date.now() + 5_000;
    for (;;) {
      const mark = this.logChunks.length;
      try {
        await this.launch();
        return;
      } catch (err) {
        const newOutput = this.logChunks.slice(mark).join('');
        if (!/address already in use/i.test(newOutput) || Date.now() > deadline) throw err;
        await sleep(100);
      }
    }
  }

  private args(): string[] {
    return [
      '--port', String(this.port),
      '--bind', '127.0.0.1',
      '--dir', this.dir,
      '--save', '',
      '--appendonly', this.options.appendonly ? 'yes' : 'no',
      '--maxmemory-policy', 'noeviction',
      '--daemonize', 'no',
      '--logfile', '',
      ...(this.options.extraArgs ?? []),
    ];
  }

  private async launch(): Promise<void> {
    const child = spawn('redis-server', this.args(), {
      cwd: this.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, so SIGKILL reaches any fork (BGSAVE/AOF rewrite) too
    });
    this.child = child;
    setChildRef(child, false); // a forgotten server must not keep the test process alive; see reaper
    let exitInfo: string | undefined;
    this.childExited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exitInfo = `exited with code ${code} signal ${signal}`;
        resolve();
      });
      child.once('error', (err) => {
        exitInfo = `failed to start: ${err.message}`;
        resolve();
      });
    });
    const capture = (chunk: Buffer): void => {
      this.logChunks.push(chunk.toString('utf8'));
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    this.unregister();
    const pid = child.pid;
    const dir = this.dir;
    this.unregister = registerCleanup(() => {
      signalGroup(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    const timeoutMs = this.options.startTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    let lastReply: string | undefined;
    for (;;) {
      if (exitInfo !== undefined) {
        throw new Error(
          `PrivateRedis: redis-server on port ${this.port} ${exitInfo} before it was ready.\n` +
            `args: redis-server ${this.args().map((a) => (a === '' ? "''" : a)).join(' ')}\noutput:\n${this.output()}`,
        );
      }
      lastReply = await rawCommand(this.port, 'PING', 500);
      if (lastReply === '+PONG' && this.running) return;
      if (Date.now() > deadline) {
        signalGroup(child.pid, 'SIGKILL');
        await holdWhile(child, this.childExited);
        throw new Error(
          `PrivateRedis: redis-server on port ${this.port} did not answer PING within ${timeoutMs} ms ` +
            `(last reply: ${lastReply ?? 'none'}).\noutput:\n${this.output()}`,
        );
      }
      await sleep(25);
    }
  }

  private async shutdown(): Promise<void> {
    const child = this.child;
    if (!this.running || child === undefined) return;
    this.thaw();
    // SHUTDOWN closes the connection without a reply; the AOF (if enabled) is flushed, no RDB saved.
    const reply = await rawCommand(this.port, 'SHUTDOWN NOSAVE', 1_000);
    if (reply !== undefined && reply.startsWith('-')) signalGroup(child.pid, 'SIGTERM');
    const exited = await settlesWithin(holdWhile(child, this.childExited), SHUTDOWN_GRACE_MS);
    if (!exited) {
      signalGroup(child.pid, 'SIGKILL');
      await holdWhile(child, this.childExited);
    }
  }
}
