import { Injectable, Logger } from '@nestjs/common';
import { GatewayError, TERMINAL_JOB_STATUSES } from '@switchyard/contracts';
import type { BatchLineRef } from '../job-record';
import { JobStore } from '../job-store';
import { BatchEvents } from './batch-events';
import { finishedLine, refusedLine, unrunLine, type UnrunReason } from './batch-output';
import { BatchQueue } from './batch-queue';
import type { BatchRecord } from './batch-record';
import { BatchStore, type LineOutcome } from './batch-store';

/**
 * Records each line's outcome in its batch, once: JobNotifier calls it when a line's job ends,
 * the expansion when the gateway refuses a line, and cancel and expiry for lines that never ran.
 * The line that completes the count asks for the batch to be finalized.
 */
@Injectable()
export class BatchLineRecorder {
  private readonly logger = new Logger(BatchLineRecorder.name);

  constructor(
    private readonly jobs: JobStore,
    private readonly store: BatchStore,
    private readonly queue: BatchQueue,
    private readonly events: BatchEvents,
  ) {}

  /**
   * Never throws: the job's own end is written already. A line whose record is lost to a Redis
   * error here is recorded when the batch reaches its deadline (EndUnfinishedLines reconciles).
   */
  async lineEnded(jobId: string, ref: BatchLineRef): Promise<void> {
    try {
      const [job, batch] = await Promise.all([this.jobs.find(jobId), this.store.find(ref.id)]);
      if (!job || !batch || !TERMINAL_JOB_STATUSES.has(job.status)) return;
      await this.record(batch, finishedLine(job, ref, batch.cancellingAt !== null));
    } catch (error) {
      this.logger.error({ jobId, batchId: ref.id }, `the batch line's end could not be recorded: ${(error as Error).message}`);
    }
  }

  async lineRefused(batch: BatchRecord, line: number, customId: string, error: GatewayError): Promise<void> {
    await this.record(batch, refusedLine(batch.id, line, customId, error));
  }

  async lineUnrun(batch: BatchRecord, line: number, customId: string, reason: UnrunReason): Promise<void> {
    await this.record(batch, unrunLine(batch.id, line, customId, reason));
  }

  private async record(batch: BatchRecord, outcome: LineOutcome): Promise<void> {
    const recorded = await this.store.recordLine(batch, outcome);
    if (!recorded.recorded) return;
    if (recorded.total !== null && recorded.done >= recorded.total) await this.queue.finalize(batch.id);
    else await this.events.progress(batch);
  }
}
