import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { CancellationBus, DEADLINES_QUEUE, JobNotifier, JobStore, QueueGateway, type DeadlineData } from '@switchyard/jobs';
import { backgroundWorkerOptions } from '@switchyard/redis';
import { LogContext } from '@switchyard/telemetry';
import { Worker, type Job } from 'bullmq';

/** Ends jobs whose deadline passed: out of their queue if waiting, their provider call aborted if running. */
@Injectable()
export class DeadlineWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeadlineWorker.name);
  private worker?: Worker<DeadlineData>;

  constructor(
    private readonly config: SwitchyardConfig,
    private readonly store: JobStore,
    private readonly queues: QueueGateway,
    private readonly cancellations: CancellationBus,
    private readonly notifier: JobNotifier,
    private readonly logContext: LogContext,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.worker = new Worker<DeadlineData>(DEADLINES_QUEUE, (job) => this.logContext.runInContext(() => this.expire(job), { bindings: { jobId: job.data.jobId } }), backgroundWorkerOptions(this.config, 20));
    this.worker.on('error', (error) => this.logger.error(`deadline worker: ${error.message}`));
    await this.worker.waitUntilReady();
  }

  private async expire(job: Job<DeadlineData>): Promise<void> {
    const { jobId } = job.data;
    const outcome = await this.store.expire(jobId);
    if (outcome.kind !== 'ended') return;
    const record = await this.store.find(jobId);
    const target = record?.targets[record.targetIndex];
    if (record && target) await this.queues.remove(target.provider, jobId, record.hop);
    await this.cancellations.announce(jobId);
    if (record) await this.notifier.jobEnded(record);
    this.logger.log({ jobId, previous: outcome.previous }, 'job expired at its deadline');
  }

  async onApplicationShutdown(): Promise<void> {
    // Not waiting for entries in flight: one cut short is stalled and taken up again by another
    // process, and waiting could hang when Redis itself is going away (the embedded default).
    await this.worker?.close(true);
  }
}
