import { getQueueToken } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { SwitchyardConfig } from '@switchyard/config';
import type { Queue } from 'bullmq';
import { providerQueueName } from './redis-keys';

/** What a provider queue entry carries: only ids, so the queue never holds a prompt or a credential. */
export interface ProviderJobData {
  jobId: string;
  provider: string;
  model: string;
}

/** The only code that adds to or removes from the BullMQ provider queues. */
@Injectable()
export class QueueGateway {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly config: SwitchyardConfig,
  ) {}

  queue(provider: string): Queue<ProviderJobData> {
    return this.moduleRef.get<Queue<ProviderJobData>>(getQueueToken(providerQueueName(provider)), { strict: false });
  }

  /** Adding with the job's own id makes a repeated add a no-op. */
  async enqueue(data: ProviderJobData, priority: number): Promise<void> {
    const { completedS, failedS } = this.config.retention;
    await this.queue(data.provider).add('chat', data, {
      jobId: data.jobId,
      priority,
      // Provider errors never throw out of the processor; these retries are for Redis blips while recording.
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: completedS },
      removeOnFail: { age: failedS },
    });
  }

  /** Best effort: a job a worker already holds is locked and stays; the worker drops it on start. */
  async remove(provider: string, jobId: string): Promise<void> {
    await this.queue(provider).remove(jobId).catch(() => 0);
  }
}
