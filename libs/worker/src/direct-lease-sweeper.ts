import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { JobStore, QueueGateway } from '@switchyard/jobs';

/** Leases handled per sweep; more wait for the next one. */
const SWEEP_LIMIT = 500;

/**
 * In every worker: a direct call whose API process died stops having its lease renewed; once it
 * runs out, the job's current hop is queued like any other entry a worker lost (BullMQ's stalled
 * check, for the jobs that never had an entry).
 */
@Injectable()
export class DirectLeaseSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DirectLeaseSweeper.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: SwitchyardConfig,
    private readonly store: JobStore,
    private readonly queues: QueueGateway,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.worker.stalledIntervalMs).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<void> {
    try {
      // Held for a lease's length while this sweep queues them; a sweep that dies leaves them to the next.
      for (const job of await this.store.expiredLeases(this.config.worker.lockDurationMs, SWEEP_LIMIT)) {
        this.logger.warn({ jobId: job.id }, `direct call ${job.id} lost its API process; queued for a worker`);
        await this.queues.enqueueCurrentHop(job);
        await this.store.dropLease(job.id);
      }
    } catch (error) {
      this.logger.warn(`direct-call lease sweep failed: ${(error as Error).message}`);
    }
  }
}
