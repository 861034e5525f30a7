import { Queue } from 'bullmq';
import type { PrivateRedis } from '../../test/support';
import { BENCH_KEY } from '../config';
import { chatBody, httpLoad } from '../load';
import { startApi, startWorker } from '../processes';

const SOAK_PREFIX = 'soak';
/** Short retention, so the steady state is reached within seconds of the start. */
const RETENTION_S = 5;

export interface SoakResult {
  jobs: number;
  rejected: Record<string, number>;
  seconds: number;
  /** Redis used_memory in MB: before, halfway through and after the last job finished. */
  usedMemoryMB: { start: number; middle: number; end: number };
}

function soakConfig(): string {
  return `server: { host: 127.0.0.1 }
redis: { prefix: ${SOAK_PREFIX} }
auth:
  keys:
    - { name: bench, key: ${BENCH_KEY} }
providers:
  mock: { type: mock, concurrency: 100 }
models:
  soak-echo:
    targets: [{ provider: mock, model: echo }]
retention:
  succeeded_s: ${RETENTION_S}
  failed_s: ${RETENTION_S}
  canceled_s: ${RETENTION_S}
  queue_max_completed: 1000
  queue_max_failed: 1000
`;
}

async function usedMemoryMB(redis: PrivateRedis): Promise<number> {
  const info = await redis.client().info('memory');
  const bytes = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

/**
 * (g) A steady load of `jobs` jobs through one api and one worker with retention of a few
 * seconds: job records, queue entries and fair-queuing state must expire as fast as they come,
 * so Redis memory stays flat (end ≤ 1.2 × middle).
 */
export async function soak(redis: PrivateRedis, jobs: number, nodeArgs: readonly string[]): Promise<SoakResult> {
  const config = soakConfig();
  const api = await startApi(redis, config, nodeArgs);
  const worker = await startWorker(redis, config, 'worker (soak)', nodeArgs);
  const queue = new Queue('provider.mock', { connection: { host: '127.0.0.1', port: redis.port }, prefix: SOAK_PREFIX });
  try {
    const start = await usedMemoryMB(redis);
    const half = (count: number) =>
      httpLoad({ baseUrl: api.baseUrl, key: BENCH_KEY, method: 'POST', path: '/v1/jobs', body: chatBody('soak-echo'), expectStatus: 202, concurrency: 20, maxRequests: count, maxSeconds: 600 });
    const started = Date.now();
    const first = await half(Math.floor(jobs / 2));
    const middle = await usedMemoryMB(redis);
    const second = await half(jobs - Math.floor(jobs / 2));
    for (;;) {
      const counts = await queue.getJobCounts('wait', 'prioritized', 'active', 'delayed');
      if (Object.values(counts).every((n) => n === 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const end = await usedMemoryMB(redis);
    const rejected: Record<string, number> = { ...first.rejected };
    for (const [status, count] of Object.entries(second.rejected)) rejected[status] = (rejected[status] ?? 0) + count;
    return { jobs: first.ok + second.ok, rejected, seconds: (Date.now() - started) / 1000, usedMemoryMB: { start, middle, end } };
  } finally {
    await queue.close();
    await Promise.all([api.process.kill('SIGTERM'), worker.kill('SIGTERM')]);
  }
}
