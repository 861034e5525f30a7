import { getQueueToken } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { SwitchyardConfig } from '@switchyard/config';
import { RedisConnections, type RedisClient } from '@switchyard/redis';
import { ApiKeys } from '@switchyard/tenants';
import type { JobType, Queue } from 'bullmq';
import { FAIR_TAG } from './job-scripts';
import type { QueueIdleCheck } from './job-store';
import type { JobRecord } from './job-record';
import { RedisKeys, providerQueueName } from './redis-keys';

/**
 * What a provider queue entry carries: ids and routing numbers, never a credential. Only the
 * first entry of an interactive call also carries the job's record, so its worker can start the
 * call without reading it back first (JobRunner); such entries go once completed.
 */
export interface ProviderJobData {
  jobId: string;
  /** The job's hop this entry is for; an entry whose hop the job has left is stale. */
  hop: number;
  provider: string;
  model: string;
  /** Fair-queuing tag on this provider's queue. */
  tag: number;
  record?: JobRecord;
}

export interface QueueEntry {
  jobId: string;
  hop: number;
  provider: string;
  model: string;
  owner: string;
  /** The job's priority, 1 (most urgent) to 10. */
  urgency: number;
  delayMs?: number;
  /** Its fair-share tag when the caller took it already (fairTag), else taken here. */
  tag?: number;
  record?: JobRecord;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

const WAITING_STATES: JobType[] = ['wait', 'prioritized'];

/**
 * BullMQ priorities run from 1 to 2^21. Each of the ten job priorities gets a band of them, so a
 * more urgent job always passes a less urgent one; inside a band the fair-queuing tag orders
 * entries. Tags are coarsened so a band spans millions of rounds before it saturates (entries then
 * keep their arrival order); the tags restart whenever the queue drains.
 */
const BAND = Math.floor(2 ** 21 / 10);
const TAG_COARSENING = 16;

export function queuePriority(urgency: number, tag: number): number {
  return (urgency - 1) * BAND + Math.min(Math.floor(tag / TAG_COARSENING), BAND - 1) + 1;
}

/** BullMQ scores a prioritized entry priority × 2^32 plus an arrival counter. */
const INTERACTIVE_BAND_END_SCORE = queuePriority(2, 0) * 2 ** 32;

/** Deterministic per hop: adding an entry twice (a crash mid-move, then the repair) adds it once. */
export function entryId(jobId: string, hop: number): string {
  return hop === 0 ? jobId : `${jobId}.${hop}`;
}

/** The only code that adds to or removes from the BullMQ provider queues. */
@Injectable()
export class QueueGateway {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly config: SwitchyardConfig,
    private readonly connections: RedisConnections,
    private readonly keys: RedisKeys,
    private readonly apiKeys: ApiKeys,
  ) {}

  queue(provider: string): Queue<ProviderJobData> {
    return this.moduleRef.get<Queue<ProviderJobData>>(getQueueToken(providerQueueName(provider)), { strict: false });
  }

  /** The connection the provider's queue adds on: what is sent on it before an add lands first. */
  async connection(provider: string): Promise<RedisClient> {
    // BullMQ's Redis backend wraps its ioredis client in a proxy that forwards every command.
    return (await this.queue(provider).getBackend().client) as unknown as RedisClient;
  }

  /** What a direct call checks to know that nothing of its band waits on the provider's queue. */
  idleCheck(provider: string): QueueIdleCheck {
    const { wait, prioritized, meta, limiter } = this.queue(provider).keys;
    return { keys: [wait, prioritized, meta, limiter], bandEnd: INTERACTIVE_BAND_END_SCORE };
  }

  async enqueue(entry: QueueEntry): Promise<void> {
    const { succeededS, failedS, queueMaxCompleted, queueMaxFailed } = this.config.retention;
    const tag = entry.tag ?? (await this.fairTag(entry.provider, entry.owner));
    const data: ProviderJobData = { jobId: entry.jobId, hop: entry.hop, provider: entry.provider, model: entry.model, tag, ...(entry.record && { record: entry.record }) };
    await this.queue(entry.provider).add('job', data, {
      jobId: entryId(entry.jobId, entry.hop),
      priority: queuePriority(entry.urgency, tag),
      ...(entry.delayMs && { delay: entry.delayMs }),
      // Provider errors never throw out of the processor; these retries are for Redis blips while recording.
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
      // The job's record keeps what matters: a second copy of a request does not stay for long.
      removeOnComplete: entry.record ? true : { age: succeededS, count: queueMaxCompleted },
      // A job that ran out of targets stays on its queue's failed list (the dead-letter queue) this long.
      removeOnFail: { age: failedS, count: queueMaxFailed },
    });
  }

  /** The entry of the hop the job's record is on, for its current target. */
  async enqueueCurrentHop(job: JobRecord, options: { delayMs?: number; tag?: number } = {}): Promise<void> {
    const target = job.targets[job.targetIndex];
    await this.enqueue({ jobId: job.id, hop: job.hop, provider: target.provider, model: target.model, owner: job.owner, urgency: job.priority, ...options });
  }

  /** The owner's next fair-share tag on the provider's queue (a Lua call; see FAIR_TAG). */
  async fairTag(provider: string, owner: string): Promise<number> {
    return Number(await FAIR_TAG.run(this.connections.commands, [this.keys.fairClock(provider), this.keys.fairTags(provider)], [owner, await this.fairCost(owner)]));
  }

  /** What one job moves its owner's finish tag on: heavier keys move less, so get more turns. */
  async fairCost(owner: string): Promise<number> {
    return 1 / ((await this.apiKeys.find(owner))?.weight ?? 1);
  }

  /** Best effort: an entry a worker already holds is locked and stays; the worker drops it on start. */
  async remove(provider: string, jobId: string, hop: number): Promise<void> {
    await this.queue(provider).remove(entryId(jobId, hop)).catch(() => 0);
  }

  /** A delayed entry runs now (a no-op when it is no longer delayed). */
  async promote(provider: string, jobId: string, hop: number): Promise<void> {
    const job = await this.queue(provider).getJob(entryId(jobId, hop));
    await job?.promote().catch(() => undefined);
  }

  /** Everyone's turn starts over once nothing waits, which keeps tags far from the band's end. */
  async resetFairness(provider: string): Promise<void> {
    await this.connections.commands.del(this.keys.fairClock(provider), this.keys.fairTags(provider));
  }

  async waiting(provider: string): Promise<number> {
    return this.queue(provider).getJobCountByTypes(...WAITING_STATES);
  }

  async counts(provider: string): Promise<QueueCounts> {
    const counts = await this.queue(provider).getJobCounts('wait', 'prioritized', 'active', 'delayed', 'failed');
    return { waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0 };
  }
}
