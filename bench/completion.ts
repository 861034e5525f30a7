import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { nowMs } from './stats';

/** Polls a BullMQ queue until `target` entries are completed or failed (in total). */
export async function waitForFinished(queue: Queue, target: number, timeoutMs: number): Promise<void> {
  const deadline = nowMs() + timeoutMs;
  for (;;) {
    const counts = await queue.getJobCounts('completed', 'failed');
    const done = (counts.completed ?? 0) + (counts.failed ?? 0);
    if (done >= target) return;
    if (nowMs() > deadline) {
      const all = await queue.getJobCounts();
      throw new Error(`${queue.name}: only ${done} of ${target} entries finished within ${timeoutMs} ms (${JSON.stringify(all)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface RecordTimings {
  /** Jobs by record status. */
  statuses: Record<string, number>;
  /** Earliest started_at and latest finished_at over the records (epoch ms). */
  firstStart: number;
  lastFinish: number;
  /** jobs / (lastFinish - firstStart), jobs per second. */
  rate: number;
}

/** Reads the job records' status and timestamps, as the worker wrote them. */
export async function readRecordTimings(redis: Redis, prefix: string, ids: readonly string[]): Promise<RecordTimings> {
  const statuses: Record<string, number> = {};
  let firstStart = Number.POSITIVE_INFINITY;
  let lastFinish = Number.NEGATIVE_INFINITY;
  const chunk = 1000;
  for (let i = 0; i < ids.length; i += chunk) {
    const pipeline = redis.pipeline();
    for (const id of ids.slice(i, i + chunk)) pipeline.hmget(`${prefix}:job:${id}`, 'status', 'started_at', 'finished_at');
    const replies = (await pipeline.exec()) ?? [];
    for (const [error, value] of replies) {
      if (error) throw error;
      const [status, startedAt, finishedAt] = value as Array<string | null>;
      const key = status ?? 'missing';
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (startedAt) firstStart = Math.min(firstStart, Number(startedAt));
      if (finishedAt) lastFinish = Math.max(lastFinish, Number(finishedAt));
    }
  }
  const seconds = (lastFinish - firstStart) / 1000;
  return { statuses, firstStart, lastFinish, rate: seconds > 0 ? ids.length / seconds : Number.NaN };
}
