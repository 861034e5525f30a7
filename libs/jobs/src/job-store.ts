import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { ErrorBody, JobAttempt, JobRequest, JobResult, JobStatus, Usage } from '@switchyard/contracts';
import { CANCEL_JOB, FINISH_JOB, START_JOB } from './job-scripts';
import { recordFromHash, recordToHash, type JobRecord } from './job-record';
import { RedisConnections } from '@switchyard/redis';
import { RedisKeys } from './redis-keys';

/**
 * A record whose queue entry never got written (the API died between the two writes) must not
 * stay forever; this bounds it while leaving any real queue wait far more room than it needs.
 */
const UNFINISHED_JOB_TTL_S = 30 * 24 * 3600;

export type StartOutcome =
  | { kind: 'started'; request: JobRequest }
  | { kind: 'missing' }
  | { kind: 'terminal'; status: JobStatus };

export type CancelOutcome =
  | { kind: 'canceled'; previous: JobStatus }
  | { kind: 'missing' }
  | { kind: 'terminal'; status: JobStatus };

export interface JobFinish {
  status: Extract<JobStatus, 'succeeded' | 'failed' | 'canceled'>;
  attempt?: JobAttempt;
  result?: JobResult;
  error?: ErrorBody;
  usage?: Usage;
  costUsd?: number | null;
}

/** The only code that knows how job records are laid out in Redis. */
@Injectable()
export class JobStore {
  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: RedisKeys,
    private readonly config: SwitchyardConfig,
  ) {}

  private get redis() {
    return this.connections.commands;
  }

  async create(record: JobRecord): Promise<void> {
    const key = this.keys.job(record.id);
    await this.redis.multi().hset(key, recordToHash(record)).expire(key, UNFINISHED_JOB_TTL_S).exec();
  }

  async delete(id: string): Promise<void> {
    await this.redis.del(this.keys.job(id));
  }

  async find(id: string): Promise<JobRecord | null> {
    const hash = await this.redis.hgetall(this.keys.job(id));
    return hash.status === undefined ? null : recordFromHash(id, hash);
  }

  async start(id: string, provider: string, model: string, now = Date.now()): Promise<StartOutcome> {
    const [kind, value] = (await START_JOB.run(this.redis, [this.keys.job(id)], [provider, model, now])) as [string, string?];
    if (kind === 'started') return { kind, request: JSON.parse(value as string) as JobRequest };
    if (kind === 'terminal') return { kind, status: value as JobStatus };
    return { kind: 'missing' };
  }

  /** Returns false when the job had already ended (first terminal write wins). */
  async finish(id: string, finish: JobFinish, now = Date.now()): Promise<boolean> {
    const json = (value: unknown) => (value === undefined ? '' : JSON.stringify(value));
    const written = await FINISH_JOB.run(
      this.redis,
      [this.keys.job(id), this.keys.jobEvents(id)],
      [finish.status, now, this.retentionFor(finish.status), json(finish.attempt), json(finish.result), json(finish.error), json(finish.usage), finish.costUsd == null ? '' : String(finish.costUsd)],
    );
    return written === 1;
  }

  async cancel(id: string, owner: string, now = Date.now()): Promise<CancelOutcome> {
    const error: ErrorBody = { message: 'The job was canceled by its owner.', type: 'invalid_request_error', code: 'job_canceled', param: null };
    const [kind, status] = (await CANCEL_JOB.run(
      this.redis,
      [this.keys.job(id), this.keys.jobEvents(id)],
      [owner, now, this.retentionFor('canceled'), JSON.stringify(error)],
    )) as [string, string?];
    if (kind === 'canceled') return { kind, previous: status as JobStatus };
    if (kind === 'terminal') return { kind, status: status as JobStatus };
    return { kind: 'missing' };
  }

  private retentionFor(status: JobStatus): number {
    return status === 'failed' ? this.config.retention.failedS : this.config.retention.completedS;
  }
}
