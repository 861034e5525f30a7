import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppProcess, PrivateRedis } from '../../test/support';
import { readRecordTimings, waitForFinished } from '../completion';
import { PREFIX } from '../config';
import type { CpuShare, ProcessMonitor } from '../monitor';
import { startWorker } from '../processes';
import { nowMs } from '../stats';

export interface DrainOptions {
  redis: PrivateRedis;
  commands: Redis;
  connection: ConnectionOptions;
  monitor: ProcessMonitor;
  /** Name of the worker in the monitor and logs. */
  label: string;
  /** BullMQ queue the jobs wait on, e.g. provider.mock. */
  queueName: string;
  /** The jobs already queued (accepted by the API). */
  ids: readonly string[];
  /** Config of the worker: only the provider under test. */
  workerConfig: string;
  timeoutMs: number;
  /** Extra node flags for the worker (e.g. --cpu-prof). */
  nodeArgs?: readonly string[];
}

export interface DrainResult {
  jobs: number;
  /** Jobs per second from the first job's start to the last one's end, from the records. */
  rate: number;
  /** Worker spawn to last job finished, start-up included. */
  wallSeconds: number;
  statuses: Record<string, number>;
  cpu: CpuShare;
  /** The worker, still running (the caller stops it). */
  worker: AppProcess;
}

/** (c), (d): starts one worker process on a queue pre-filled through the API and times the drain. */
export async function drain(options: DrainOptions): Promise<DrainResult> {
  const queue = new Queue(options.queueName, { connection: options.connection, prefix: PREFIX });
  try {
    const before = await queue.getJobCounts('completed', 'failed');
    const target = (before.completed ?? 0) + (before.failed ?? 0) + options.ids.length;
    const spawned = nowMs();
    const name = options.label.replace(/[^\w.-]+/g, '-').replace(/-+$/, '');
    const worker = await startWorker(options.redis, options.workerConfig, name, options.nodeArgs);
    options.monitor.track(options.label, worker.pid);
    const cpuDone = options.monitor.cpuPhase();
    await waitForFinished(queue, target, options.timeoutMs);
    const wallSeconds = (nowMs() - spawned) / 1000;
    const cpu = cpuDone();
    options.monitor.finalize(options.label);
    const timings = await readRecordTimings(options.commands, PREFIX, options.ids);
    return { jobs: options.ids.length, rate: timings.rate, wallSeconds, statuses: timings.statuses, cpu, worker };
  } finally {
    await queue.close();
  }
}
