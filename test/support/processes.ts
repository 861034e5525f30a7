import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { Agent, request } from 'undici';
import { holdWhile, registerCleanup, setChildRef, signalGroup, sleep } from './reaper';

/** Repo root: this file compiles to <repo>/dist/test/support/processes.js. */
export const repoRoot = resolve(__dirname, '..', '..', '..');

export type AppName = 'standalone' | 'api' | 'worker' | 'mock-provider';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ReadyOptions {
  /** Ready when a line of output contains this string / matches this RegExp. */
  readyLine?: RegExp | string;
  /** Ready when a GET to this URL answers with any HTTP status (polled every 50 ms). */
  readyUrl?: string;
  /** Give up (SIGKILL, reject with the last 50 lines) after this long. Default 30 000 ms. */
  timeoutMs?: number;
}

export interface SpawnProcessOptions extends ReadyOptions {
  /** Merged over process.env; an `undefined` value removes an inherited variable. */
  env?: Record<string, string | undefined>;
  /** Working directory (default: repo root). */
  cwd?: string;
  /** Used in the log file name and errors (default: basename of the command). */
  name?: string;
  /** Where `<name>-<pid>.log` goes (default: <repo>/logs/test). */
  logDir?: string;
}

export interface SpawnAppOptions extends ReadyOptions {
  env: Record<string, string | undefined>;
  /** Extra arguments after main.js. */
  args?: string[];
}

const TAIL_LINES = 50;
const STOP_GRACE_MS = 5_000;
const registry = new Set<AppProcess>();

function matches(pattern: RegExp | string, line: string): boolean {
  if (typeof pattern === 'string') return line.includes(pattern);
  pattern.lastIndex = 0; // /g and /y patterns are stateful
  return pattern.test(line);
}

/** A spawned child process with captured output. Output is kept in memory and appended to a log file. */
export class AppProcess {
  readonly pid: number;
  /** Complete output lines, stdout and stderr interleaved in arrival order. */
  readonly lines: string[] = [];
  readonly logFile: string;
  private readonly exitPromise: Promise<ExitInfo>;
  private exitedHeld = false;
  private exitInfo: ExitInfo | undefined;
  private readonly chunks: string[] = [];
  private readonly partial = { stdout: '', stderr: '' };
  private readonly listeners = new Set<() => void>();
  private readonly log: WriteStream;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    logDir: string,
  ) {
    this.pid = child.pid ?? -1;
    mkdirSync(logDir, { recursive: true });
    this.logFile = join(logDir, `${name}-${this.pid}.log`);
    this.log = createWriteStream(this.logFile, { flags: 'a' });
    this.log.on('error', () => undefined);
    const pid = this.pid;
    const unregister = registerCleanup(() => signalGroup(pid, 'SIGKILL'));
    child.stdout?.on('data', (chunk: Buffer) => this.capture('stdout', chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => this.capture('stderr', chunk.toString('utf8')));
    this.exitPromise = new Promise<ExitInfo>((resolveExit) => {
      let fallback: NodeJS.Timeout | undefined;
      const finish = (info: ExitInfo): void => {
        if (this.exitInfo !== undefined) return;
        if (fallback) clearTimeout(fallback);
        this.flushPartial('stdout');
        this.flushPartial('stderr');
        this.exitInfo = info;
        this.log.end();
        unregister();
        registry.delete(this);
        this.notify();
        resolveExit(info);
      };
      // 'close' waits for stdio to drain; if a grandchild holds the pipes open, fall back after 'exit'.
      child.once('close', (code, signal) => finish({ code, signal }));
      child.once('exit', (code, signal) => {
        // The leader is gone: kill anything it left behind in its group (e.g. a redis-server it started).
        signalGroup(this.pid, 'SIGKILL');
        fallback = setTimeout(() => finish({ code, signal }), 500);
      });
      child.once('error', (err) => {
        this.capture('stderr', `[harness] ${name}: ${err.message}\n`);
        finish({ code: null, signal: null });
      });
    });
    // Not ref'd unless the harness is waiting on it; see setChildRef().
    setChildRef(child, false);
  }

  /**
   * Resolves (never rejects) once the process has exited and its output is drained. Reading it keeps
   * the test process alive until the child exits.
   */
  get exited(): Promise<ExitInfo> {
    if (!this.exitedHeld && this.exitInfo === undefined) {
      this.exitedHeld = true;
      void holdWhile(this.child, this.exitPromise);
    }
    return this.exitPromise;
  }

  /** True until the process has exited. */
  get running(): boolean {
    return this.exitInfo === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Exit code and signal, once exited. */
  get exitStatus(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** All captured text so far. */
  output(): string {
    return this.chunks.join('');
  }

  /** The last `n` lines (default 50) as one string, including an unterminated last line. */
  tail(n = TAIL_LINES): string {
    const pending = [this.partial.stdout, this.partial.stderr].filter((s) => s.length > 0);
    return [...this.lines, ...pending].slice(-n).join('\n');
  }

  /**
   * Resolves with the first line at index >= fromLine that matches. Rejects on timeout or if the
   * process exits first. Pass `fromLine: proc.lines.length` to wait only for new output.
   * An aborted `signal` rejects with the abort reason.
   */
  waitForLine(pattern: RegExp | string, timeoutMs = 10_000, fromLine = 0, signal?: AbortSignal): Promise<string> {
    return holdWhile(this.child, this.lineWaiter(pattern, timeoutMs, fromLine, signal));
  }

  private lineWaiter(pattern: RegExp | string, timeoutMs: number, fromLine: number, signal?: AbortSignal): Promise<string> {
    return new Promise<string>((resolvePromise, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let next = fromLine;
      const check = (): void => {
        for (; next < this.lines.length; next++) {
          const line = this.lines[next];
          if (line !== undefined && matches(pattern, line)) {
            cleanup();
            resolvePromise(line);
            return;
          }
        }
        if (this.exitInfo !== undefined) {
          cleanup();
          reject(
            new Error(
              `${this.name} (pid ${this.pid}) exited (code ${this.exitInfo.code}, signal ${this.exitInfo.signal}) ` +
                `before a line matching ${String(pattern)} appeared. Last lines:\n${this.tail()}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `${this.name} (pid ${this.pid}): no line matching ${String(pattern)} within ${timeoutMs} ms. ` +
              `Last lines:\n${this.tail()}`,
          ),
        );
      }, timeoutMs);
      const onAbort = (): void => {
        cleanup();
        reject(signal?.reason);
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.listeners.add(check);
      check();
    });
  }

  /**
   * Sends `signal` (SIGKILL goes to the whole process group) and resolves with the exit code
   * (null if killed by a signal) once exited. If still alive after `graceMs`, SIGKILLs the group.
   */
  async kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<number | null> {
    if (this.running) {
      if (signal === 'SIGKILL') {
        signalGroup(this.pid, 'SIGKILL');
      } else {
        try {
          process.kill(this.pid, signal);
        } catch {
          // already gone
        }
      }
      const timer = setTimeout(() => signalGroup(this.pid, 'SIGKILL'), graceMs);
      await holdWhile(this.child, this.exitPromise);
      clearTimeout(timer);
    }
    return (await this.exitPromise).code;
  }

  /** SIGKILL whatever is left in the process group (e.g. a redis-server the app started). */
  reapGroup(): void {
    signalGroup(this.pid, 'SIGKILL');
  }

  private capture(stream: 'stdout' | 'stderr', text: string): void {
    this.chunks.push(text);
    this.log.write(text);
    const parts = (this.partial[stream] + text).split('\n');
    this.partial[stream] = parts.pop() ?? '';
    if (parts.length === 0) return;
    for (const part of parts) this.lines.push(part.endsWith('\r') ? part.slice(0, -1) : part);
    this.notify();
  }

  private flushPartial(stream: 'stdout' | 'stderr'): void {
    if (this.partial[stream].length > 0) {
      this.lines.push(this.partial[stream]);
      this.partial[stream] = '';
    }
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

async function urlAnswers(url: string, dispatcher: Agent): Promise<boolean> {
  try {
    const res = await request(url, { method: 'GET', dispatcher, headersTimeout: 2_000, bodyTimeout: 2_000 });
    await res.body.dump();
    return true;
  } catch {
    return false;
  }
}

async function waitReady(proc: AppProcess, options: ReadyOptions): Promise<void> {
  const { readyLine, readyUrl } = options;
  if (readyLine === undefined && readyUrl === undefined) return;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let ready = false;
  const stopWaiting = new AbortController();
  const waiters: Array<Promise<void>> = [];
  if (readyLine !== undefined) {
    waiters.push(proc.waitForLine(readyLine, timeoutMs, 0, stopWaiting.signal).then(() => undefined));
  }
  let dispatcher: Agent | undefined;
  if (readyUrl !== undefined) {
    const agent = new Agent({ keepAliveTimeout: 10, pipelining: 0 });
    dispatcher = agent;
    waiters.push(
      (async () => {
        while (!ready && proc.running && Date.now() < deadline) {
          if (await urlAnswers(readyUrl, agent)) return;
          await sleep(50);
        }
        if (ready) return;
        if (!proc.running) await proc.exited;
        throw new Error(proc.running ? `${readyUrl} did not answer within ${timeoutMs} ms` : 'exited');
      })(),
    );
  }
  try {
    await Promise.any(waiters);
    ready = true;
  } catch {
    ready = true; // stop the poller
    const exit = proc.running ? undefined : await proc.exited;
    if (proc.running) {
      proc.reapGroup();
      await proc.exited;
    }
    const waitingFor = [
      readyLine !== undefined ? `a line matching ${String(readyLine)}` : undefined,
      readyUrl !== undefined ? `${readyUrl} to answer` : undefined,
    ]
      .filter((s) => s !== undefined)
      .join(' or ');
    const why =
      exit !== undefined
        ? `exited (code ${exit.code}, signal ${exit.signal}) before it was ready`
        : `was not ready within ${timeoutMs} ms (killed)`;
    throw new Error(
      `${proc.name} (pid ${proc.pid}) ${why}; waited for ${waitingFor}. Log: ${proc.logFile}\n` +
        `Last ${TAIL_LINES} lines:\n${proc.tail(TAIL_LINES)}`,
    );
  } finally {
    ready = true;
    stopWaiting.abort();
    await dispatcher?.close().catch(() => undefined);
  }
}

/**
 * Spawns any command with captured output, registered for stopAll() and exit cleanup, and waits
 * until it is ready (readyLine / readyUrl; immediately if neither is given).
 */
export async function spawnProcess(command: string, args: string[], options: SpawnProcessOptions = {}): Promise<AppProcess> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // set by `node --test` for its own children; not for apps
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const name = options.name ?? (command.split(/[\\/]/).pop() || command);
  const child = spawn(command, args, {
    cwd: options.cwd ?? repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: SIGKILL cleanup also reaches grandchildren
  });
  if (child.pid === undefined) {
    const err = await new Promise<Error>((resolveErr) => child.once('error', resolveErr));
    throw new Error(`spawnProcess: could not start ${command}: ${err.message}`);
  }
  const proc = new AppProcess(name, child, options.logDir ?? join(repoRoot, 'logs', 'test'));
  registry.add(proc);
  await waitReady(proc, options);
  return proc;
}

/** Runs `node dist/apps/<name>/src/main.js` from the repo root (build first: `npm run build`). */
export async function spawnApp(name: AppName, options: SpawnAppOptions): Promise<AppProcess> {
  const main = join(repoRoot, 'dist', 'apps', name, 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`spawnApp(${name}): ${main} does not exist; run \`npm run build\` first`);
  return spawnProcess(process.execPath, [main, ...(options.args ?? [])], {
    name,
    // Workers open a health port (9464 by default); tests that want it name one, the rest go without.
    env: name === 'worker' ? { WORKER_HEALTH_PORT: '0', ...options.env } : options.env,
    cwd: repoRoot,
    readyLine: options.readyLine,
    readyUrl: options.readyUrl,
    timeoutMs: options.timeoutMs,
  });
}

/** Processes spawned by this module that are still running. */
export function runningProcesses(): AppProcess[] {
  return [...registry];
}

/**
 * Stops every spawned process still running: SIGTERM, SIGKILL to its group after `graceMs`
 * (default 5 s). Call it in `after()`.
 */
export async function stopAll(graceMs = STOP_GRACE_MS): Promise<void> {
  await Promise.all(
    [...registry].map(async (proc) => {
      await proc.kill('SIGTERM', graceMs);
      proc.reapGroup();
    }),
  );
}
