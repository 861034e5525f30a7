import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { Queue } from 'bullmq';

export const DEADLINES_QUEUE = 'deadlines';

export interface DeadlineData {
  jobId: string;
}

/**
 * A job's deadline is a delayed entry on its own queue, so it fires on time whether the job is
 * still waiting behind others or running: the worker that takes the entry ends the job `expired`
 * and aborts its provider call.
 */
@Injectable()
export class DeadlineQueue {
  constructor(
    @InjectQueue(DEADLINES_QUEUE) private readonly queue: Queue<DeadlineData>,
    private readonly config: SwitchyardConfig,
  ) {}

  async schedule(jobId: string, deadline: number): Promise<void> {
    await this.queue.add('deadline', { jobId }, {
      // Per job: a second schedule of the same job (a repeated submit) adds nothing.
      jobId,
      delay: Math.max(0, deadline - Date.now()),
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 3600, count: this.config.retention.queueMaxCompleted },
      removeOnFail: { age: this.config.retention.failedS, count: this.config.retention.queueMaxFailed },
    });
  }

  /** The job ended in time; its deadline entry has nothing left to do. */
  async cancel(jobId: string): Promise<void> {
    await this.queue.remove(jobId).catch(() => 0);
  }
}
