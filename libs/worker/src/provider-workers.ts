import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { ErrorBody } from '@switchyard/contracts';
import { CancellationBus, JobNotifier, JobStore, QueueGateway, providerQueueName, type ProviderJobData } from '@switchyard/jobs';
import { bullConnection, RECONNECT_PROMPTLY } from '@switchyard/redis';
import { LogContext } from '@switchyard/telemetry';
import { RateLimitError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { JobRunner } from './job-runner';

/** Thrown after the job record says failed, so the entry stays on the queue's failed (dead-letter) list. */
class OutOfTargetsError extends UnrecoverableError {
  constructor(jobId: string) {
    super(`job ${jobId} failed on every target`);
    this.name = 'OutOfTargetsError';
  }
}

/**
 * BullMQ only honours a queue pause (a provider 429) when the worker has a limiter; this one is
 * never reached by itself, it is there so the pause works.
 */
const PAUSABLE = { max: 1_000_000_000, duration: 1000 };

const FAIRNESS_RESET_INTERVAL_MS = 1000;
/** The abort reason of a call cut short by shutdown rather than by a cancel. */
const HANDED_BACK = Symbol('handed back at shutdown');

const WORKER_LOST: ErrorBody = {
  message: 'The job was lost by its workers too many times (they stopped while running it).',
  type: 'server_error',
  code: 'worker_lost',
  param: null,
};

/** One BullMQ worker per configured provider queue, each with that provider's concurrency. */
@Injectable()
export class ProviderWorkers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProviderWorkers.name);
  private readonly workers: Worker<ProviderJobData>[] = [];
  /** Active jobs in this process, so a cancel announced by any API process can abort them. */
  private readonly running = new Map<string, AbortController>();
  private stopListening?: () => Promise<void>;
  private readonly fairnessResetAt = new Map<string, number>();

  constructor(
    private readonly config: SwitchyardConfig,
    private readonly runner: JobRunner,
    private readonly store: JobStore,
    private readonly cancellations: CancellationBus,
    private readonly queues: QueueGateway,
    private readonly notifier: JobNotifier,
    private readonly logContext: LogContext,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stopListening = await this.cancellations.listen((jobId) => this.running.get(jobId)?.abort());
    const connection = bullConnection(this.config.redis, { ...RECONNECT_PROMPTLY, maxRetriesPerRequest: null });
    const { lockDurationMs, stalledIntervalMs, maxStalledCount } = this.config.worker;
    for (const provider of this.config.providers.values()) {
      const worker = new Worker<ProviderJobData>(providerQueueName(provider.name), (job) => this.inJobContext(job, provider.name, () => this.process(job)), {
        connection,
        prefix: this.config.redis.prefix,
        concurrency: provider.concurrency,
        lockDuration: lockDurationMs,
        stalledInterval: stalledIntervalMs,
        maxStalledCount,
        limiter: PAUSABLE,
        // An idle fetch blocks at most 1 s (BullMQ's default is 5): a queue paused for a provider's
        // retry-after resumes within a second of its end.
        drainDelay: 1,
      });
      worker.on('failed', (job, error) => void this.inJobContext(job, provider.name, () => this.onFailed(job, error)));
      worker.on('drained', () => this.drained(provider.name));
      worker.on('error', (error) => this.logger.error(`worker ${provider.name}: ${error.message}`));
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
    const queues = [...this.config.providers.values()].map((p) => `${providerQueueName(p.name)}×${p.concurrency}`);
    this.logger.log(`worker ready: ${queues.join(', ')}`);
  }

  /**
   * At low load the queue drains after every job; resetting fair-share tags each time would add a
   * Redis write to every call, and once a second keeps them just as far from the band's end.
   */
  private drained(provider: string): void {
    const now = Date.now();
    if (now - (this.fairnessResetAt.get(provider) ?? 0) < FAIRNESS_RESET_INTERVAL_MS) return;
    this.fairnessResetAt.set(provider, now);
    void this.queues.resetFairness(provider).catch(() => undefined);
  }

  /** Every line logged while an entry is handled carries its job id and provider. */
  private inJobContext<T>(job: Job<ProviderJobData> | undefined, provider: string, work: () => T): T {
    return this.logContext.runInContext(work, { bindings: { jobId: job?.data.jobId, provider } });
  }

  private async process(job: Job<ProviderJobData>): Promise<void> {
    const controller = new AbortController();
    this.running.set(job.data.jobId, controller);
    try {
      const verdict = await this.runner.run(job.data, controller.signal);
      // Back to waiting, same hop, not counted as an attempt: the runner left the record as it was.
      if (controller.signal.reason === HANDED_BACK) throw new RateLimitError();
      if (verdict.kind === 'rate_limited') {
        // Every worker of this provider stops fetching for that long; the entry waits its turn again.
        await this.queues.queue(job.data.provider).rateLimit(verdict.waitMs);
        throw new RateLimitError();
      }
      if (verdict.kind === 'dead') throw new OutOfTargetsError(job.data.jobId);
    } finally {
      this.running.delete(job.data.jobId);
    }
  }

  /** BullMQ gave up on a queue entry (stalled too often, or Redis kept failing): end its job. */
  private async onFailed(job: Job<ProviderJobData> | undefined, error: Error): Promise<void> {
    // finishedOn is set only when BullMQ will not try the entry again.
    if (!job?.finishedOn || error instanceof OutOfTargetsError) return;
    this.logger.error(`queue entry for ${job.data.jobId} failed for good: ${error.message}`);
    try {
      // Its end is announced like any other (webhook, batch counters), or its batch would wait for its deadline.
      if (await this.store.finish(job.data.jobId, { status: 'failed', error: WORKER_LOST })) await this.notifier.jobEndedById(job.data.jobId);
    } catch (finishError) {
      this.logger.error(`could not record the loss of ${job.data.jobId}: ${(finishError as Error).message}`);
    }
  }

  /**
   * Stops fetching and lets running calls finish for the grace period; past it, their calls are
   * aborted and their entries go back to waiting, so another worker takes them at once instead of
   * after their lock expires.
   */
  async onApplicationShutdown(): Promise<void> {
    const closing = Promise.allSettled(this.workers.map((worker) => worker.close()));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace_over'>((resolve) => (timer = setTimeout(() => resolve('grace_over'), this.config.worker.shutdownGraceMs)));
    if ((await Promise.race([closing, graceOver])) === 'grace_over') {
      this.logger.warn(`${this.running.size} job(s) still running after the shutdown grace period; handing them back to the queue`);
      for (const controller of this.running.values()) controller.abort(HANDED_BACK);
      await closing;
    }
    clearTimeout(timer);
    await this.stopListening?.();
  }
}
