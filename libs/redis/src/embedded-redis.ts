import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisConfig } from '@switchyard/config';
import { Redis } from 'ioredis';
import { redisOptionsFromUrl } from './redis-options';

export interface RedisHandle {
  url: string;
  /** True when this process started its own redis-server. */
  embedded: boolean;
  stop(): Promise<void>;
}

export class RedisUnavailableError extends Error {}

async function reachable(url: string): Promise<boolean> {
  const client = new Redis({ ...redisOptionsFromUrl(url), lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilReachable(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await reachable(url)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/**
 * The embedded default: use the configured Redis when it answers; otherwise start a private
 * redis-server in a temp dir on a free port, owned by this process and removed when it stops.
 */
export async function ensureRedis(redis: Pick<RedisConfig, 'url' | 'cluster'>): Promise<RedisHandle> {
  const { url } = redis;
  // A configured cluster is the operator's to run; a private server would be a different Redis.
  if (redis.cluster || (await reachable(url))) return { url, embedded: false, stop: async () => undefined };
  if (spawnSync('redis-server', ['--version']).error) {
    throw new RedisUnavailableError(
      `Redis is not reachable at ${url} and redis-server is not on PATH. ` +
        'Start Redis (e.g. `docker run -p 6379:6379 redis:7` or `apt install redis-server`) or set REDIS_URL.',
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
    // Its own process group: a Ctrl-C in the terminal must not stop Redis under an app that is
    // still closing (queues, limiters and workers write to it on the way out); stop() ends it.
    { stdio: 'ignore', detached: true },
  );
  const privateUrl = `redis://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  // A parent that exits without calling stop() must not leave its redis-server behind.
  const killOnExit = () => {
    child.kill('SIGKILL');
    cleanUp();
  };
  process.once('exit', killOnExit);
  if (!(await waitUntilReachable(privateUrl, 10_000))) {
    child.kill('SIGKILL');
    cleanUp();
    throw new RedisUnavailableError(`Started redis-server on port ${port} but it did not answer.`);
  }
  return {
    url: privateUrl,
    embedded: true,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      child.kill('SIGTERM');
      await exited;
      cleanUp();
    },
  };
}
