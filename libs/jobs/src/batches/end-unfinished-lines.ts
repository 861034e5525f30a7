import { Injectable } from '@nestjs/common';
import { CancellationBus } from '../cancellation-bus';
import { JobNotifier } from '../job-notifier';
import { JobStore, type EndOutcome } from '../job-store';
import { QueueGateway } from '../queue-gateway';
import { lineJobId } from './batch-id';
import { BatchLineRecorder } from './batch-line-recorder';
import { BatchQueue } from './batch-queue';
import type { BatchRecord } from './batch-record';
import { BatchStore } from './batch-store';

/** Lines looked at per round trip. */
const SWEEP_PAGE = 500;

/**
 * A cancelled batch, or one past its deadline: every line not recorded yet is ended now. A line
 * job still queued or running is canceled (or expired) as a job is; a line never submitted is
 * recorded as not run; a line whose end was never recorded (a lost notification) is recorded now.
 * Recording is once per line, so this may run beside the lines' own ends, or twice.
 */
@Injectable()
export class EndUnfinishedLines {
  constructor(
    private readonly store: BatchStore,
    private readonly jobs: JobStore,
    private readonly queues: QueueGateway,
    private readonly bus: CancellationBus,
    private readonly notifier: JobNotifier,
    private readonly recorder: BatchLineRecorder,
    private readonly batchQueue: BatchQueue,
  ) {}

  async execute(batch: BatchRecord): Promise<void> {
    // Still validating: the validation sweeps itself once it knows the lines.
    if (batch.total === null) return;
    const cancelling = batch.cancellingAt !== null;
    for (let from = 0; from < batch.total; from += SWEEP_PAGE) {
      const customIds = await this.store.customIds(batch.id, from, Math.min(from + SWEEP_PAGE, batch.total) - 1);
      const lines = customIds.map((_, i) => from + i);
      const recorded = await this.store.recordedLines(batch.id, lines);
      await Promise.all(lines.map((line, i) => (recorded[i] ? undefined : this.endLine(batch, line, customIds[i], cancelling))));
    }
    // Every line is recorded now; this finalizes the batch if its last line was recorded before.
    await this.batchQueue.finalize(batch.id);
  }

  private async endLine(batch: BatchRecord, line: number, customId: string, cancelling: boolean): Promise<void> {
    const jobId = lineJobId(batch.id, line);
    const ended: EndOutcome = cancelling ? await this.jobs.cancel(jobId, batch.owner) : await this.jobs.expire(jobId);
    if (ended.kind === 'missing') return this.recorder.lineUnrun(batch, line, customId, cancelling ? 'batch_cancelled' : 'batch_expired');
    const record = await this.jobs.find(jobId);
    if (!record) return;
    if (ended.kind === 'ended') {
      const target = record.targets[record.targetIndex];
      if (target) await this.queues.remove(target.provider, jobId, record.hop);
      await this.bus.announce(jobId);
    }
    // Records the line: for 'terminal' this is the end whose notification was lost.
    await this.notifier.jobEnded(record);
  }
}
