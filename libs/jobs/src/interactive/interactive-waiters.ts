import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { JobResult, JobStatus } from '@switchyard/contracts';
import { RedisSubscriber } from '@switchyard/redis';
import { RedisKeys } from '../redis-keys';

/** What the finishing script told: the status, and the result when the job succeeded. */
export interface JobEnd {
  status: JobStatus;
  result: JobResult | null;
}

export interface Waiter {
  /** No other job of the same owner is waited on in this process. */
  readonly alone: boolean;
  /** The job's end, or null when the timeout passed or the signal aborted first. */
  until(timeoutMs: number, signal?: AbortSignal): Promise<JobEnd | null>;
  cancel(): void;
}

/**
 * The jobs this API process waits on for an interactive call. One channel per process, subscribed
 * once, which the finishing script publishes to with the job's result: no subscription per call
 * and no read of the record after it (the hot path of /v1/chat/completions).
 */
@Injectable()
export class InteractiveWaiters {
  readonly channel: string;
  private readonly waiting = new Map<string, (end: JobEnd) => void>();
  private readonly waitsPerOwner = new Map<string, number>();
  private subscribed?: Promise<unknown>;

  constructor(
    private readonly subscriber: RedisSubscriber,
    keys: RedisKeys,
  ) {
    this.channel = keys.waiters(randomUUID());
  }

  /** Registers the wait before the job exists, so its end cannot be missed. */
  async expect(jobId: string, owner: string): Promise<Waiter> {
    this.subscribed ??= this.subscriber.subscribe(this.channel, (message) => this.deliver(message)).catch((error: unknown) => {
      this.subscribed = undefined;
      throw error;
    });
    let settle!: (end: JobEnd | null) => void;
    const ended = new Promise<JobEnd | null>((resolve) => (settle = resolve));
    this.waiting.set(jobId, settle);
    const owned = (this.waitsPerOwner.get(owner) ?? 0) + 1;
    this.waitsPerOwner.set(owner, owned);
    let done = false;
    const stop = (): void => {
      if (done) return;
      done = true;
      this.waiting.delete(jobId);
      const left = (this.waitsPerOwner.get(owner) ?? 1) - 1;
      if (left > 0) this.waitsPerOwner.set(owner, left);
      else this.waitsPerOwner.delete(owner);
    };
    try {
      await this.subscribed;
    } catch (error) {
      stop();
      throw error;
    }
    return {
      alone: owned === 1,
      until: async (timeoutMs, signal) => {
        const timer = setTimeout(() => settle(null), timeoutMs);
        const abort = () => settle(null);
        signal?.addEventListener('abort', abort, { once: true });
        try {
          return await ended;
        } finally {
          clearTimeout(timer);
          signal?.removeEventListener('abort', abort);
          stop();
        }
      },
      cancel: stop,
    };
  }

  /** An end this process knows first-hand (a direct call it ran), ahead of the published one. */
  settle(jobId: string, end: JobEnd): void {
    this.waiting.get(jobId)?.(end);
  }

  /** `<id> <status> <result JSON or nothing>` */
  private deliver(message: string): void {
    const first = message.indexOf(' ');
    const second = message.indexOf(' ', first + 1);
    const settle = this.waiting.get(message.slice(0, first));
    if (!settle) return;
    const result = message.slice(second + 1);
    settle({ status: message.slice(first + 1, second) as JobStatus, result: result ? (JSON.parse(result) as JobResult) : null });
  }
}
