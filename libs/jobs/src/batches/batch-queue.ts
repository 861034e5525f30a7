import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { Queue } from 'bullmq';

export const BATCHES_QUEUE = 'batches';

/**
 * What a batch needs done: `process` validates and then submits its lines; `finalize` writes the
 * output and error files once every line is recorded; `expire` fires at the deadline; `cancel`
 * ends the lines of a cancelled batch.
 */
export type BatchStep = 'process' | 'finalize' | 'expire' | 'cancel';

export interface BatchStepData {
  batchId: string;
}

/** The only code that adds to the `batches` queue. */
@Injectable()
export class BatchQueue {
  constructor(
    @InjectQueue(BATCHES_QUEUE) private readonly queue: Queue<BatchStepData>,
    private readonly config: SwitchyardConfig,
  ) {}

  async process(batchId: string): Promise<void> {
    await this.add('process', batchId);
  }

  async finalize(batchId: string): Promise<void> {
    await this.add('finalize', batchId);
  }

  async cancel(batchId: string): Promise<void> {
    await this.add('cancel', batchId);
  }

  async expireAt(batchId: string, deadline: number): Promise<void> {
    await this.add('expire', batchId, Math.max(0, deadline - Date.now()));
  }

  /** The batch ended before its deadline: its expiry has nothing left to do. */
  async dropExpiry(batchId: string): Promise<void> {
    await this.queue.remove(`${batchId}.expire`).catch(() => 0);
  }

  private async add(step: BatchStep, batchId: string, delay = 0): Promise<void> {
    await this.queue.add(step, { batchId }, {
      // One entry per step and batch at a time: asking twice while it waits adds nothing. Done
      // entries go at once, so a step asked for again later (finalize after a late line) runs.
      jobId: `${batchId}.${step}`,
      ...(delay > 0 && { delay }),
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: true,
      removeOnFail: { age: this.config.retention.failedS, count: this.config.retention.queueMaxFailed },
    });
  }
}
