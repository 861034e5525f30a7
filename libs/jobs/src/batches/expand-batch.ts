import { Injectable, Logger } from '@nestjs/common';
import { GatewayError, ServiceUnavailableError, TooManyRequestsError } from '@switchyard/contracts';
import { FileStore } from '@switchyard/files';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeadlineQueue } from '../deadline-queue';
import type { JobRecord } from '../job-record';
import { JobStore } from '../job-store';
import { QueueGateway } from '../queue-gateway';
import { SubmitJob } from '../use-cases/submit-job';
import { lineJobId } from './batch-id';
import { BatchInput, type InputLine } from './batch-input';
import { parseBatchLine } from './batch-line';
import { BatchLineRecorder } from './batch-line-recorder';
import type { BatchRecord } from './batch-record';
import { BatchStore } from './batch-store';

/** Lines submitted together; the resume point moves after each group. */
const GROUP = 50;
/**
 * A tenant-limit wait up to this long is slept through with the input still open; a longer one
 * (a daily token budget) hands the step back to the queue, delayed, to resume at the resume point.
 */
const MAX_INLINE_WAIT_MS = 30_000;

/**
 * Lines are background work: they wait behind jobs of the default priority (5) and leave 9 and 10
 * for jobs their owners mark as even less urgent.
 */
export const BATCH_LINE_PRIORITY = 8;

export type ExpandOutcome =
  | { kind: 'done' }
  /** The batch was cancelled or reached its deadline: whatever is left is its sweep's. */
  | { kind: 'stopped' }
  /** The owner is over a tenant limit: go on after this long, from the resume point. */
  | { kind: 'paused'; delayMs: number };

/**
 * `in_progress`: submits each line as its own job through SubmitJob, so routing, limits, fallback,
 * cache and coalescing apply to it as to any job. A line recorded already (cancelled) or whose job
 * exists (a previous run got that far) is passed over, so running this again creates nothing twice.
 */
@Injectable()
export class ExpandBatch {
  private readonly logger = new Logger(ExpandBatch.name);

  constructor(
    private readonly input: BatchInput,
    private readonly store: BatchStore,
    private readonly jobs: JobStore,
    private readonly queues: QueueGateway,
    private readonly deadlines: DeadlineQueue,
    private readonly submitJob: SubmitJob,
    private readonly recorder: BatchLineRecorder,
    private readonly files: FileStore,
  ) {}

  async execute(batch: BatchRecord): Promise<ExpandOutcome> {
    let group: InputLine[] = [];
    for await (const line of this.input.lines(batch.inputFileId)) {
      if (line.index < batch.expanded) continue;
      group.push(line);
      if (group.length < GROUP) continue;
      const outcome = await this.submitGroupPatiently(batch, group);
      if (outcome) return outcome;
      group = [];
    }
    const outcome = group.length > 0 ? await this.submitGroupPatiently(batch, group) : undefined;
    if (outcome) return outcome;
    // Every line is a job now: the input may be deleted.
    await this.files.unpin(batch.inputFileId, batch.id);
    return { kind: 'done' };
  }

  /** Short tenant-limit waits are slept through; the lines already submitted are passed over after. */
  private async submitGroupPatiently(batch: BatchRecord, group: InputLine[]): Promise<ExpandOutcome | undefined> {
    for (;;) {
      const outcome = await this.submitGroup(batch, group);
      if (outcome?.kind !== 'paused' || outcome.delayMs > MAX_INLINE_WAIT_MS) return outcome;
      await sleep(outcome.delayMs);
    }
  }

  private async submitGroup(batch: BatchRecord, group: InputLine[]): Promise<ExpandOutcome | undefined> {
    if ((await this.store.status(batch.id)) !== 'in_progress' || Date.now() >= batch.deadline) return { kind: 'stopped' };
    const lines = group.map((line) => line.index);
    const [recorded, existing] = await Promise.all([
      this.store.recordedLines(batch.id, lines),
      Promise.all(lines.map((line) => this.jobs.find(lineJobId(batch.id, line)))),
    ]);
    const waits = await Promise.all(
      group.map(async (line, i) => {
        const job = existing[i];
        if (job) await this.requeue(job);
        else if (!recorded[i]) return this.submit(batch, line);
        return undefined;
      }),
    );
    const firstWait = waits.findIndex((wait) => wait !== undefined);
    if (firstWait !== -1) {
      await this.store.setExpanded(batch.id, group[firstWait].index);
      return { kind: 'paused', delayMs: waits[firstWait] as number };
    }
    await this.store.setExpanded(batch.id, group[group.length - 1].index + 1);
    return undefined;
  }

  /**
   * A line job a previous run created may have missed its queue entry (that run died between the
   * two writes). Queueing the same entry again adds nothing when it is there.
   */
  private async requeue(job: JobRecord): Promise<void> {
    const target = job.targets[job.targetIndex];
    if (job.status !== 'queued' || !target) return;
    await this.queues.enqueue({ jobId: job.id, hop: job.hop, provider: target.provider, model: target.model, owner: job.owner, urgency: job.priority });
    if (job.deadline !== null) await this.deadlines.schedule(job.id, job.deadline);
  }

  /** Resolves with a wait in ms when the owner's limits say "not now"; a refused line is recorded. */
  private async submit(batch: BatchRecord, line: InputLine): Promise<number | undefined> {
    const parsed = parseBatchLine(line.text, line.number, batch.endpoint, batch.owner);
    // Validated before; a line that fails now can only be one the validation would have refused.
    if (!parsed.ok) throw new Error(`batch ${batch.id} line ${line.number} no longer parses: ${parsed.error.message}`);
    const ref = { id: batch.id, line: line.index, customId: parsed.customId };
    try {
      await this.submitJob.execute({ ...parsed.command, id: lineJobId(batch.id, line.index), batch: ref, priority: BATCH_LINE_PRIORITY, deadline: batch.deadline });
      return undefined;
    } catch (error) {
      if (error instanceof TooManyRequestsError) return Number(error.headers['retry-after'] ?? 1) * 1000;
      // Redis trouble: the whole step is retried from the resume point.
      if (error instanceof ServiceUnavailableError || !(error instanceof GatewayError)) throw error;
      this.logger.warn({ batchId: batch.id, line: line.number }, `batch line refused: ${error.message}`);
      await this.recorder.lineRefused(batch, line.index, parsed.customId, error);
      return undefined;
    }
  }
}
