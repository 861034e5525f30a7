import { Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { backgroundWorkerOptions } from '@switchyard/redis';
import { LogContext } from '@switchyard/telemetry';
import { DelayedError, Worker, type Job } from 'bullmq';
import { BATCHES_QUEUE, type BatchStep, type BatchStepData } from './batch-queue';
import { BatchStore } from './batch-store';
import { EndUnfinishedLines } from './end-unfinished-lines';
import { FinalizeBatch } from './finalize-batch';
import { RunBatch } from './run-batch';

/** Batches handled at once by one process; each mostly waits on Redis. */
const CONCURRENCY = 4;

/**
 * The BullMQ worker of the `batches` queue: the batch processor and finalizer. Only processes that
 * run workers provide it (through BatchWorkerModule); the API only adds entries.
 */
@Injectable()
export class BatchWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BatchWorker.name);
  private worker?: Worker<BatchStepData>;

  constructor(
    private readonly config: SwitchyardConfig,
    private readonly store: BatchStore,
    private readonly run: RunBatch,
    private readonly finalize: FinalizeBatch,
    private readonly endUnfinished: EndUnfinishedLines,
    private readonly logContext: LogContext,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.worker = new Worker<BatchStepData>(BATCHES_QUEUE, (job, token) => this.logContext.runInContext(() => this.process(job, token), { bindings: { batchId: job.data.batchId } }), backgroundWorkerOptions(this.config, CONCURRENCY));
    this.worker.on('error', (error) => this.logger.error(`batch worker: ${error.message}`));
    this.worker.on('failed', (job, error) => this.logger.error({ batchId: job?.data.batchId, step: job?.name }, `batch step failed: ${error.message}`));
    await this.worker.waitUntilReady();
  }

  private async process(job: Job<BatchStepData>, token?: string): Promise<void> {
    const { batchId } = job.data;
    switch (job.name as BatchStep) {
      case 'process': {
        const outcome = await this.run.execute(batchId);
        if (outcome.kind !== 'paused') return;
        // Over a tenant limit: the step sleeps, then resumes where the expansion stopped.
        await job.moveToDelayed(Date.now() + outcome.delayMs, token);
        throw new DelayedError();
      }
      case 'finalize':
        return this.finalize.execute(batchId);
      case 'expire':
        if (await this.store.markExpired(batchId)) await this.sweep(batchId);
        return;
      case 'cancel':
        return this.sweep(batchId);
    }
  }

  private async sweep(batchId: string): Promise<void> {
    const batch = await this.store.find(batchId);
    if (batch && (batch.status === 'in_progress' || batch.status === 'cancelling')) await this.endUnfinished.execute(batch);
  }

  async onApplicationShutdown(): Promise<void> {
    // Not waiting for entries in flight: one cut short is stalled and taken up again by another
    // process, and every step picks up where the last run stopped.
    await this.worker?.close(true);
  }
}

/** The batch worker, for processes that run workers; needs JobsModule imported by the app. */
@Module({ providers: [BatchWorker] })
export class BatchWorkerModule {}
