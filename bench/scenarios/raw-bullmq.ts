import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { nowMs } from '../stats';

export interface RawBullmqOptions {
  connection: ConnectionOptions;
  jobs: number;
  /** Queue.add calls in flight at once. */
  addConcurrency: number;
  workerConcurrency: number;
}

export interface RawBullmqResult {
  jobs: number;
  addSeconds: number;
  addRate: number;
  workerSeconds: number;
  workerRate: number;
}

/** Same name, data shape and options as QueueGateway.enqueue, so the floor is like for like. */
const JOB_OPTIONS = {
  priority: 5,
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600 },
  removeOnFail: { age: 3600 },
} as const;

/**
 * (a) The floor under the gateway: plain Queue.add with the gateway's job options and a no-op
 * Worker draining the same jobs, in this process, on a prefix of its own.
 */
export async function rawBullmq(options: RawBullmqOptions): Promise<RawBullmqResult> {
  const prefix = 'bench-raw';
  const name = 'provider.raw';
  const queue = new Queue(name, { connection: options.connection, prefix });
  await queue.waitUntilReady();

  let next = 0;
  const addStart = nowMs();
  const adder = async (): Promise<void> => {
    while (next < options.jobs) {
      const i = next++;
      const jobId = `job_raw_${String(i).padStart(8, '0')}`;
      await queue.add('chat', { jobId, provider: 'raw', model: 'echo' }, { ...JOB_OPTIONS, jobId });
    }
  };
  await Promise.all(Array.from({ length: options.addConcurrency }, adder));
  const addSeconds = (nowMs() - addStart) / 1000;

  let firstStart = Number.NaN;
  let completed = 0;
  let lastDone = 0;
  const drained = new Promise<void>((resolve) => {
    const worker = new Worker(
      name,
      async () => {
        if (Number.isNaN(firstStart)) firstStart = nowMs();
      },
      {
        connection: options.connection,
        prefix,
        concurrency: options.workerConcurrency,
        lockDuration: 30_000,
        stalledInterval: 30_000,
        maxStalledCount: 2,
      },
    );
    worker.on('completed', () => {
      completed++;
      if (completed === options.jobs) {
        lastDone = nowMs();
        void worker.close().then(() => resolve());
      }
    });
    worker.on('error', () => undefined);
  });
  await drained;
  const workerSeconds = (lastDone - firstStart) / 1000;
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  return {
    jobs: options.jobs,
    addSeconds,
    addRate: options.jobs / addSeconds,
    workerSeconds,
    workerRate: options.jobs / workerSeconds,
  };
}
