import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { JobStillRunningError, PRIORITY, TERMINAL_JOB_STATUSES } from '@switchyard/contracts';
import { newJobId } from '../job-id';
import { JobStore } from '../job-store';
import { SubmitJob } from '../use-cases/submit-job';
import type { CompletedJob, InteractiveCommand } from './interactive-command';
import { InteractiveWaiters, type JobEnd } from './interactive-waiters';
import { jobOutcomeError } from './job-outcome-error';

/** `/v1/chat/completions` and `/v1/embeddings`: a durable job at interactive priority, waited for. */
@Injectable()
export class AwaitCompletion {
  private readonly waitS: number;

  constructor(
    private readonly submit: SubmitJob,
    private readonly store: JobStore,
    private readonly waiters: InteractiveWaiters,
    config: SwitchyardConfig,
  ) {
    this.waitS = config.server.interactiveWaitS;
  }

  async execute(command: InteractiveCommand): Promise<CompletedJob> {
    const { signal, ...submit } = command;
    // The id is chosen here so the wait is registered before the job exists.
    const jobId = newJobId();
    const waiter = await this.waiters.expect(jobId, submit.owner);
    let end: JobEnd | null;
    try {
      await this.submit.execute({ ...submit, id: jobId, priority: PRIORITY.mostUrgent, notify: this.waiters.channel, frontOfBand: waiter.alone });
      end = await waiter.until(this.waitS * 1000, signal);
    } finally {
      waiter.cancel();
    }
    if (end?.status === 'succeeded' && end.result) return { jobId, result: end.result };
    // No word in time (or a message lost to a reconnect): the record has the last say.
    const record = await this.store.find(jobId);
    if (!record || !TERMINAL_JOB_STATUSES.has(record.status)) throw new JobStillRunningError(jobId, this.waitS);
    if (record.status === 'succeeded' && record.result) return { jobId, result: record.result };
    throw jobOutcomeError(record);
  }
}
