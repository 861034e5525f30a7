import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { ErrorBody, JobAttempt, JobResult, JobStatus, Usage } from '@switchyard/contracts';
import { ADMIT_JOB, CREATE_DIRECT_JOB, CREATE_JOB, END_JOB, EXPIRED_LEASES, FINISH_JOB, MOVE_JOB, RETRY_JOB, START_JOB } from './job-scripts';
import { recordFromHash, recordToHash, type JobRecord } from './job-record';
import { RedisConnections, type RedisClient } from '@switchyard/redis';
import type { RouteTarget } from '@switchyard/routing';
import { UsageLedger } from '@switchyard/tenants';
import { Metrics } from '@switchyard/telemetry';
import { RedisKeys } from './redis-keys';

/**
 * A record whose queue entry never got written (the API died between the two writes) must not
 * stay forever; this bounds it while leaving any real queue wait far more room than it needs.
 */
const UNFINISHED_JOB_TTL_S = 30 * 24 * 3600;

export type StartOutcome =
  | { kind: 'started'; record: JobRecord }
  /** The job is on a later hop already: this entry was left behind by a crash mid-move. */
  | { kind: 'moved'; record: JobRecord }
  | { kind: 'missing' }
  | { kind: 'terminal'; status: JobStatus };

/** Where a job goes next: the same target again (a retry or a 429 wait) or a later one. */
export interface JobMove {
  fromHop: number;
  toHop: number;
  targetIndex: number;
  tries: number;
  /** Left out when the move is no attempt of its own (a wait for another job's identical call). */
  attempt?: JobAttempt;
}

/** Where a direct call's queue would have kept it waiting (QueueGateway.idleCheck). */
export interface QueueIdleCheck {
  /** BullMQ's wait list, prioritized set, meta hash and limiter key of the queue. */
  keys: [string, string, string, string];
  /** The lowest prioritized score past the interactive band. */
  bandEnd: number;
}

export type MoveOutcome = 'moved' | 'stale' | 'terminal' | 'missing';

export type RetryOutcome = { kind: 'queued'; previous: JobStatus } | { kind: 'missing' } | { kind: 'not_retryable'; status: JobStatus };

export type EndOutcome =
  | { kind: 'ended'; previous: JobStatus }
  | { kind: 'missing' }
  | { kind: 'terminal'; status: JobStatus };

export interface JobFinish {
  status: Extract<JobStatus, 'succeeded' | 'failed' | 'canceled'>;
  attempt?: JobAttempt;
  result?: JobResult;
  error?: ErrorBody;
  usage?: Usage;
  costUsd?: number | null;
  /** The result came from the cache or an identical call of another job. */
  cached?: boolean;
  /** The API process waiting on the job ran the call and answers from its own result: no end message for it. */
  answered?: boolean;
}

/** HGETALL's flat [field, value, ...] reply, as Lua hands it back, into an object. */
function pairs(flat: string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]] = flat[i + 1];
  return hash;
}

/** The only code that knows how job records are laid out in Redis. */
@Injectable()
export class JobStore {
  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: RedisKeys,
    private readonly config: SwitchyardConfig,
    private readonly metrics: Metrics,
    private readonly usage: UsageLedger,
  ) {}

  private get redis() {
    return this.connections.commands;
  }

  /**
   * Writes a new job's record and returns its fair-share tag on its first provider's queue. `via`
   * sends it on another connection, e.g. the queue's, so an entry added next lands after it.
   */
  async create(record: JobRecord, first: { provider: string; cost: number }, via: RedisClient = this.redis): Promise<number> {
    const keys = [this.keys.fairClock(first.provider), this.keys.fairTags(first.provider), this.keys.job(record.id)];
    const fields = Object.entries(recordToHash(record)).flat();
    return Number(await CREATE_JOB.run(via, keys, [record.owner, first.cost, UNFINISHED_JOB_TTL_S, ...fields]));
  }

  /**
   * As `create`, but when nothing waits ahead of it on its first queue the job starts at once, held
   * under a lease until `leaseUntil` by the API process that runs it (CREATE_DIRECT_JOB).
   */
  async createDirect(
    record: JobRecord,
    first: { provider: string; model: string; cost: number },
    queue: QueueIdleCheck,
    leaseUntil: number,
    via: RedisClient = this.redis,
  ): Promise<{ tag: number; direct: boolean }> {
    const keys = [this.keys.fairClock(first.provider), this.keys.fairTags(first.provider), this.keys.job(record.id), this.keys.directLeases(), ...queue.keys];
    const fields = Object.entries(recordToHash(record)).flat();
    const args = [record.owner, first.cost, UNFINISHED_JOB_TTL_S, record.createdAt, leaseUntil, queue.bandEnd, first.provider, first.model, ...fields];
    const [tag, outcome] = (await CREATE_DIRECT_JOB.run(via, keys, args)) as [string, string];
    return { tag: Number(tag), direct: outcome === 'direct' };
  }

  /** Keeps the leases of the direct calls this process still runs. */
  async renewLeases(ids: readonly string[], until: number): Promise<void> {
    if (ids.length > 0) await this.redis.zadd(this.keys.directLeases(), 'XX', ...ids.flatMap((id) => [until, id]));
  }

  async dropLease(id: string): Promise<void> {
    await this.redis.zrem(this.keys.directLeases(), id);
  }

  /** Unfinished direct calls whose lease ran out, each held `holdMs` more for the caller to queue (EXPIRED_LEASES). */
  async expiredLeases(holdMs: number, limit: number, now = Date.now()): Promise<JobRecord[]> {
    const expired = (await EXPIRED_LEASES.run(this.redis, [this.keys.directLeases()], [now, holdMs, limit, this.keys.jobPrefix()])) as [string, string[]][];
    return expired.map(([id, hash]) => recordFromHash(id, pairs(hash)));
  }

  async delete(id: string): Promise<void> {
    await this.redis.del(this.keys.job(id));
  }

  async find(id: string): Promise<JobRecord | null> {
    const hash = await this.redis.hgetall(this.keys.job(id));
    return hash.status === undefined ? null : recordFromHash(id, hash);
  }

  /** Takes a place among the owner's unfinished jobs; false when `max` of them are already there. */
  async admit(owner: string, id: string, max: number, now = Date.now()): Promise<boolean> {
    const staleBefore = now - UNFINISHED_JOB_TTL_S * 1000;
    return (await ADMIT_JOB.run(this.redis, [this.keys.tenantJobs(owner)], [id, now, max, staleBefore])) === 1;
  }

  async release(owner: string, id: string): Promise<void> {
    await this.redis.zrem(this.keys.tenantJobs(owner), id);
  }

  async start(id: string, entry: { hop: number; provider: string; model: string; tag: number }, now = Date.now()): Promise<StartOutcome> {
    const [kind, value] = (await START_JOB.run(
      this.redis,
      [this.keys.job(id), this.keys.fairClock(entry.provider)],
      [entry.hop, entry.provider, entry.model, now, entry.tag],
    )) as [string, string | string[] | undefined];
    if (kind === 'started' || kind === 'moved') return { kind, record: recordFromHash(id, pairs(value as string[])) };
    if (kind === 'terminal') return { kind, status: value as JobStatus };
    return { kind: 'missing' };
  }

  async move(id: string, move: JobMove): Promise<MoveOutcome> {
    return (await MOVE_JOB.run(
      this.redis,
      [this.keys.job(id)],
      [move.fromHop, move.attempt ? JSON.stringify(move.attempt) : '', move.toHop, move.targetIndex, move.tries],
    )) as MoveOutcome;
  }

  async retry(id: string, owner: string, hop: number, targets: RouteTarget[]): Promise<RetryOutcome> {
    const [kind, status] = (await RETRY_JOB.run(this.redis, [this.keys.job(id)], [owner, hop, JSON.stringify(targets), UNFINISHED_JOB_TTL_S])) as [
      string,
      string?,
    ];
    if (kind === 'queued') return { kind, previous: status as JobStatus };
    if (kind === 'not_retryable') return { kind, status: status as JobStatus };
    return { kind: 'missing' };
  }

  /** Returns false when the job had already ended (first terminal write wins). */
  async finish(id: string, finish: JobFinish, now = Date.now()): Promise<boolean> {
    const json = (value: unknown) => (value === undefined ? '' : JSON.stringify(value));
    const written = await FINISH_JOB.run(
      this.redis,
      [this.keys.job(id), this.keys.jobEvents(id), this.keys.directLeases()],
      [
        finish.status,
        now,
        this.retentionFor(finish.status),
        json(finish.attempt),
        json(finish.result),
        json(finish.error),
        json(finish.usage),
        finish.costUsd == null ? '' : String(finish.costUsd),
        this.keys.tenantJobsPrefix(),
        finish.cached ? '1' : '',
        ...this.usage.finishArgs(now),
        finish.answered ? '1' : '',
      ],
    );
    if (written === 1) this.metrics.jobFinished(finish.status, finish.attempt);
    return written === 1;
  }

  async cancel(id: string, owner: string, now = Date.now()): Promise<EndOutcome> {
    return this.end(id, owner, 'canceled', { message: 'The job was canceled by its owner.', type: 'invalid_request_error', code: 'job_canceled', param: null }, now);
  }

  /** The job's deadline passed before it finished. */
  async expire(id: string, now = Date.now()): Promise<EndOutcome> {
    return this.end(id, '', 'expired', { message: 'The job did not finish before its deadline.', type: 'invalid_request_error', code: 'job_expired', param: null }, now);
  }

  private async end(id: string, owner: string, status: 'canceled' | 'expired', error: ErrorBody, now: number): Promise<EndOutcome> {
    const [kind, previous] = (await END_JOB.run(
      this.redis,
      [this.keys.job(id), this.keys.jobEvents(id)],
      [owner, now, this.retentionFor(status), JSON.stringify(error), this.keys.tenantJobsPrefix(), status],
    )) as [string, string?];
    if (kind === 'ended') {
      this.metrics.jobFinished(status);
      return { kind, previous: previous as JobStatus };
    }
    if (kind === 'terminal') return { kind, status: previous as JobStatus };
    return { kind: 'missing' };
  }

  private retentionFor(status: JobStatus): number {
    const { succeededS, failedS, canceledS } = this.config.retention;
    if (status === 'succeeded') return succeededS;
    return status === 'canceled' ? canceledS : failedS;
  }
}
