import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { CancellationBus, DirectCalls, InteractiveWaiters, JobStore, QueueGateway, type DirectSlot, type DirectStart, type JobRecord, type StartOutcome } from '@switchyard/jobs';
import { LogContext } from '@switchyard/telemetry';
import { JobRunner } from './job-runner';

/** The abort reason of a call cut short by shutdown rather than by a cancel. */
const HANDED_BACK = Symbol('handed back at shutdown');
/** The abort reason of a call started ahead of its script, which queued the job instead. */
const QUEUED_INSTEAD = Symbol('queued instead');
/**
 * How long after its script last found work waiting on a provider's queue a call waits for the
 * script before it starts: a call started ahead and then queued instead is aborted, and at the
 * provider that may be a request it was already answering.
 */
const BUSY_MEMORY_MS = 1000;

/**
 * Runs interactive calls in the API process that received them, when their queue has nothing
 * waiting ahead (DirectCalls, docs/interactive.md). At most `server.direct_calls` at once; each
 * holds a lease in Redis, renewed like a queue entry's lock, that a worker queues the job on if
 * this process dies (DirectLeaseSweeper). At shutdown, calls still running after the grace period
 * are aborted and queued for a worker at once.
 */
@Injectable()
export class DirectCallRunner extends DirectCalls implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DirectCallRunner.name);
  /** The calls under way, by job id, for a cancel or the shutdown to abort. */
  private readonly running = new Map<string, AbortController>();
  /** When a direct call's script last found each provider's queue busy. */
  private readonly lastBusy = new Map<string, number>();
  private readonly runs = new Set<Promise<void>>();
  private readonly leaseMs: number;
  private reserved = 0;
  private closing = false;
  private renewals?: NodeJS.Timeout;
  private stopListening?: () => Promise<void>;

  constructor(
    private readonly config: SwitchyardConfig,
    private readonly runner: JobRunner,
    private readonly store: JobStore,
    private readonly queues: QueueGateway,
    private readonly cancellations: CancellationBus,
    private readonly waiters: InteractiveWaiters,
    private readonly logContext: LogContext,
  ) {
    super();
    this.leaseMs = config.worker.lockDurationMs;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.stopListening = await this.cancellations.listen((jobId) => this.running.get(jobId)?.abort());
    this.renewals = setInterval(() => void this.renew(), this.leaseMs / 3).unref();
  }

  reserve(job: JobRecord): DirectSlot | null {
    if (this.closing || this.reserved >= this.config.server.directCalls || !this.runner.runsWithoutStart(job)) return null;
    const crowded = this.reserved > 0;
    this.reserved += 1;
    let state: 'reserved' | 'running' | 'freed' = 'reserved';
    const free = () => {
      if (state !== 'freed') this.reserved -= 1;
      state = 'freed';
    };
    return {
      leaseUntil: Date.now() + this.leaseMs,
      crowded,
      run: (started, created) => {
        state = 'running';
        const run = this.run(started, created, free).finally(() => this.runs.delete(run));
        this.runs.add(run);
      },
      release: () => {
        if (state === 'reserved') free();
      },
    };
  }

  /**
   * The call starts while its script is on the way (one round trip less), unless that script
   * lately found the queue busy; it writes nothing until the script has started the job.
   * `free` gives the place back once the outcome is written; dropping the lease needs none.
   */
  private async run(job: JobRecord, created: Promise<DirectStart>, free: () => void): Promise<void> {
    const { provider } = job.targets[job.targetIndex];
    const controller = new AbortController();
    const confirmed = created.then(
      ({ direct }): StartOutcome => {
        if (direct) return { kind: 'started', record: job };
        this.lastBusy.set(provider, Date.now());
        controller.abort(QUEUED_INSTEAD);
        return { kind: 'missing' };
      },
      (error: unknown) => {
        controller.abort(QUEUED_INSTEAD);
        throw error;
      },
    );
    // Awaited before any write; until then a rejection (SubmitJob answers it) is no unhandled one.
    confirmed.catch(() => undefined);
    if (Date.now() - (this.lastBusy.get(provider) ?? 0) < BUSY_MEMORY_MS) await confirmed.catch(() => undefined);
    if (controller.signal.aborted) {
      free();
      return;
    }
    this.running.set(job.id, controller);
    try {
      const verdict = await this.logContext.runInContext(() => this.runner.runDirect(job, confirmed, controller.signal), { bindings: { jobId: job.id, provider } });
      if (controller.signal.reason === QUEUED_INSTEAD) return;
      // The waiting client need not wait for the end's message to come back through Redis.
      if (verdict.kind === 'ended') this.waiters.settle(job.id, { status: 'succeeded', result: verdict.result });
      if (controller.signal.reason === HANDED_BACK) {
        await this.queueAgain(job, created);
      } else if (verdict.kind === 'rate_limited') {
        // As a worker does after a provider 429: the queue pauses and the job waits on it, same hop.
        await this.queues.queue(provider).rateLimit(verdict.waitMs);
        await this.queueAgain(job, created);
      }
      this.running.delete(job.id);
      free();
      // Ended by this call's own FINISH, the lease went with it; otherwise the job is terminal or
      // queued by now, and the lease has nothing left to cover.
      if (verdict.kind !== 'ended') await this.store.dropLease(job.id);
    } catch (error) {
      // The script failed (SubmitJob answers 503), or Redis failed later: then the lease runs out
      // and a worker queues the job again.
      if (controller.signal.reason !== QUEUED_INSTEAD) this.logger.error({ jobId: job.id }, `direct call ${job.id} left to its lease: ${(error as Error).message}`);
    } finally {
      this.running.delete(job.id);
      free();
    }
  }

  /** The hop this process held, queued for a worker; a worker's START sees if the job moved on since. */
  private async queueAgain(job: JobRecord, created: Promise<DirectStart>): Promise<void> {
    await this.queues.enqueueCurrentHop(job, { tag: (await created).tag });
  }

  private async renew(): Promise<void> {
    try {
      await this.store.renewLeases([...this.running.keys()], Date.now() + this.leaseMs);
    } catch (error) {
      this.logger.warn(`could not renew direct-call leases: ${(error as Error).message}`);
    }
  }

  /**
   * Before the other hooks: Nest runs a global module's onApplicationShutdown last, after the
   * Redis connections and provider clients are closed, when a call could neither finish nor be
   * handed back.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace_over'>((resolve) => (timer = setTimeout(() => resolve('grace_over'), this.config.worker.shutdownGraceMs)));
    if ((await Promise.race([Promise.allSettled(this.runs), graceOver])) === 'grace_over') {
      this.logger.warn(`${this.running.size} direct call(s) still running after the shutdown grace period; handing them to the queue`);
      for (const controller of this.running.values()) controller.abort(HANDED_BACK);
      await Promise.allSettled(this.runs);
    }
    clearTimeout(timer);
    clearInterval(this.renewals);
    await this.stopListening?.();
  }
}
