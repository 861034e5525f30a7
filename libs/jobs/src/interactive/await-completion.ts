import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { JobStillRunningError, PRIORITY, TERMINAL_JOB_STATUSES } from '@switchyard/contracts';
import { JobEvents } from '../job-events';
import { newJobId } from '../job-id';
import { toJobObject } from '../job-record';
import { JobStore } from '../job-store';
import { SubmitJob } from '../use-cases/submit-job';
import type { CompletedJob, InteractiveCommand } from './interactive-command';
import { jobOutcomeError } from './job-outcome-error';

/** `/v1/chat/completions` and `/v1/embeddings`: a durable job at interactive priority, waited for. */
@Injectable()
export class AwaitCompletion {
  private readonly waitS: number;

  constructor(
    private readonly submit: SubmitJob,
    private readonly store: JobStore,
    private readonly events: JobEvents,
    config: SwitchyardConfig,
  ) {
    this.waitS = config.server.interactiveWaitS;
  }

  async execute(command: InteractiveCommand): Promise<CompletedJob> {
    const { signal, ...submit } = command;
    // The id is chosen here so the subscription to the job's end and the submit run side by side.
    const id = newJobId();
    const watching = this.events.watch(id);
    try {
      await this.submit.execute({ ...submit, id, priority: PRIORITY.mostUrgent });
      const watch = await watching;
      // The job may have ended before the subscription was confirmed: one status read covers it.
      const status = await this.store.status(id);
      if (status === null || !TERMINAL_JOB_STATUSES.has(status)) await watch.until(this.waitS * 1000, signal);
    } finally {
      await watching.then((watch) => watch.close(), () => undefined);
    }
    const record = await this.store.find(id);
    if (!record || !TERMINAL_JOB_STATUSES.has(record.status)) throw new JobStillRunningError(id, this.waitS);
    if (record.status === 'succeeded' && record.result) return { job: toJobObject(record), result: record.result };
    throw jobOutcomeError(record);
  }
}
