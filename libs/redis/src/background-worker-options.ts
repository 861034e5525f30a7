import type { SwitchyardConfig } from '@switchyard/config';
import type { WorkerOptions } from 'bullmq';
import { bullConnection } from './bull-connection';
import { RECONNECT_PROMPTLY } from './outage-policy';

/**
 * BullMQ worker options of the queues beside the provider queues (deadlines, webhooks, batches):
 * the configured Redis, prefix and stall rules, and a short blocking fetch when idle so a stopping
 * process is not held up by an empty queue.
 */
export function backgroundWorkerOptions(config: SwitchyardConfig, concurrency: number): WorkerOptions {
  const { lockDurationMs, stalledIntervalMs, maxStalledCount } = config.worker;
  return {
    connection: bullConnection(config.redis, { ...RECONNECT_PROMPTLY, maxRetriesPerRequest: null }),
    prefix: config.redis.prefix,
    concurrency,
    drainDelay: 1,
    lockDuration: lockDurationMs,
    stalledInterval: stalledIntervalMs,
    maxStalledCount,
  };
}
