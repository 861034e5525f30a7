import { Injectable } from '@nestjs/common';
import { JobNotFoundError, TERMINAL_JOB_STATUSES, type JobObject } from '@switchyard/contracts';
import { isJobId } from '../job-id';
import { toJobObject, type JobRecord } from '../job-record';
import { JobEvents } from '../job-events';
import { JobStore } from '../job-store';

export interface GetJobQuery {
  id: string;
  owner: string;
  /** Long-poll: wait up to this long for the job to end. */
  waitMs?: number;
  signal?: AbortSignal;
}

@Injectable()
export class GetJob {
  constructor(
    private readonly store: JobStore,
    private readonly events: JobEvents,
  ) {}

  async execute(query: GetJobQuery): Promise<JobObject> {
    let record = await this.findOwned(query.id, query.owner);
    if (query.waitMs && !TERMINAL_JOB_STATUSES.has(record.status)) {
      await this.events.waitForEnd(query.id, query.waitMs, async () => (await this.store.find(query.id))?.status ?? null, query.signal);
      record = await this.findOwned(query.id, query.owner);
    }
    return toJobObject(record);
  }

  /** Someone else's job and no job at all look the same from outside. */
  private async findOwned(id: string, owner: string): Promise<JobRecord> {
    const record = isJobId(id) ? await this.store.find(id) : null;
    if (!record || record.owner !== owner) throw new JobNotFoundError(id);
    return record;
  }
}
