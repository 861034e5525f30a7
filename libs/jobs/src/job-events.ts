import { Injectable } from '@nestjs/common';
import { TERMINAL_JOB_STATUSES, type JobStatus } from '@switchyard/contracts';
import { RedisSubscriber } from '@switchyard/redis';
import { RedisKeys } from './redis-keys';

/** A live subscription to one job's end. */
export interface JobEndWatch {
  /** Resolves when the job's end is announced, the timeout passes or the signal aborts. */
  until(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** Waits for a job to end, woken by the Redis message the finishing script publishes. */
@Injectable()
export class JobEvents {
  constructor(
    private readonly subscriber: RedisSubscriber,
    private readonly keys: RedisKeys,
  ) {}

  /** Resolves once the subscription is live: an end announced after that is not missed. */
  async watch(id: string): Promise<JobEndWatch> {
    let wake!: () => void;
    const ended = new Promise<void>((resolve) => (wake = resolve));
    const close = await this.subscriber.subscribe(this.keys.jobEvents(id), (status) => {
      if (TERMINAL_JOB_STATUSES.has(status as JobStatus)) wake();
    });
    return {
      close,
      until: async (timeoutMs, signal) => {
        const timer = setTimeout(wake, timeoutMs);
        signal?.addEventListener('abort', wake, { once: true });
        try {
          await ended;
        } finally {
          clearTimeout(timer);
          signal?.removeEventListener('abort', wake);
        }
      },
    };
  }

  /**
   * Resolves when the job is terminal or the timeout passes. `readStatus` runs after the
   * subscription is live, so an end that happens between the caller's read and this wait is not missed.
   */
  async waitForEnd(id: string, timeoutMs: number, readStatus: () => Promise<JobStatus | null>, signal?: AbortSignal): Promise<void> {
    const watch = await this.watch(id);
    try {
      const status = await readStatus();
      if (status === null || TERMINAL_JOB_STATUSES.has(status)) return;
      await watch.until(timeoutMs, signal);
    } finally {
      await watch.close();
    }
  }
}
