import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';

/**
 * BullMQ forbids ':' in queue names, so provider queues are `provider.<name>` (provider names are
 * restricted to [a-z0-9_-] by the config schema). See docs/decisions.md.
 */
export function providerQueueName(provider: string): string {
  return `provider.${provider}`;
}

/** Every Redis key and channel the job store uses, in one place, all under the configured prefix. */
@Injectable()
export class RedisKeys {
  readonly prefix: string;

  constructor(config: SwitchyardConfig) {
    this.prefix = config.redis.prefix;
  }

  job(id: string): string {
    return `${this.jobPrefix()}${id}`;
  }

  jobEvents(id: string): string {
    return `${this.prefix}:job-events:${id}`;
  }

  /** One API process's channel for the ends of the jobs it waits on (InteractiveWaiters). */
  waiters(processId: string): string {
    return `${this.prefix}:waiters:${processId}`;
  }

  /** A streaming job's chunks, relayed from the worker to the API process that holds the client. */
  jobChunks(id: string): string {
    return `${this.prefix}:job-chunks:${id}`;
  }

  /** Unfinished jobs of one API key, scored by submit time: its `max_waiting` count. */
  tenantJobs(owner: string): string {
    return `${this.tenantJobsPrefix()}${owner}`;
  }

  /** Lua scripts that only learn the owner from the job record build the key from this. */
  tenantJobsPrefix(): string {
    return `${this.prefix}:tenant-jobs:`;
  }

  idempotency(owner: string, keyHash: string): string {
    return `${this.prefix}:idempotency:${owner}:${keyHash}`;
  }

  /** Fair queuing on one provider queue: its virtual time, and each owner's last finish tag. */
  fairClock(provider: string): string {
    return `${this.prefix}:fair:${provider}:clock`;
  }

  fairTags(provider: string): string {
    return `${this.prefix}:fair:${provider}:tags`;
  }

  /** Interactive calls an API process runs itself, scored by when their lease runs out (DirectCalls). */
  directLeases(): string {
    return `${this.prefix}:direct-leases`;
  }

  /** Lua scripts that read job records by id build the key from this. */
  jobPrefix(): string {
    return `${this.prefix}:job:`;
  }

  /** Workers listen here to abort the provider call of a job canceled while active. */
  cancellations(): string {
    return `${this.prefix}:cancellations`;
  }
}
