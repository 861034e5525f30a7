import { Injectable } from '@nestjs/common';
import { TERMINAL_JOB_STATUSES, type ChatCompletionChunk, type JobStatus } from '@switchyard/contracts';
import { RedisConnections, RedisSubscriber } from '@switchyard/redis';
import type { JobRecord } from '../job-record';
import { JobStore } from '../job-store';
import { RedisKeys } from '../redis-keys';

/** Published on the job's event channel after each chunk; terminal statuses share the channel. */
const CHUNK_EVENT = 'chunk';
/** Long enough for any reader to catch up; a finished stream's answer also lives in the job record. */
const CHUNKS_TTL_S = 3600;
const READ_BATCH = 512;

export type ChunkEvent =
  | { kind: 'chunk'; chunk: ChatCompletionChunk }
  | { kind: 'ended'; record: JobRecord }
  /** Nothing arrived within the idle wait. */
  | { kind: 'idle' };

/**
 * The road a streaming job's chunks take from the worker that calls the provider to the API
 * process holding the client, which may be on another machine. Chunks go into a Redis stream (so
 * a reader that subscribes late misses nothing) and each append is announced on the job's event
 * channel (so readers wake at once instead of polling).
 */
@Injectable()
export class JobChunks {
  constructor(
    private readonly connections: RedisConnections,
    private readonly subscriber: RedisSubscriber,
    private readonly keys: RedisKeys,
    private readonly store: JobStore,
  ) {}

  async append(jobId: string, chunk: ChatCompletionChunk): Promise<void> {
    const key = this.keys.jobChunks(jobId);
    await this.connections.commands
      .multi()
      .xadd(key, '*', 'c', JSON.stringify(chunk))
      .expire(key, CHUNKS_TTL_S)
      .publish(this.keys.jobEvents(jobId), CHUNK_EVENT)
      .exec();
  }

  /** True once any chunk of the job reached a client's reader: from then on it cannot change target. */
  async anySent(jobId: string): Promise<boolean> {
    return (await this.connections.commands.xlen(this.keys.jobChunks(jobId))) > 0;
  }

  /**
   * Every chunk of the job in order, then its record once it ended. `idle` is yielded (and
   * reading goes on) whenever nothing happened for `idleMs`; the caller decides to stop.
   */
  async *follow(jobId: string, idleMs: number, signal?: AbortSignal): AsyncGenerator<ChunkEvent> {
    const key = this.keys.jobChunks(jobId);
    let wake: () => void = () => undefined;
    // The record is read once the subscription is live (an end before it is then not missed) and
    // again whenever a terminal status is announced.
    let checkRecord = true;
    const unsubscribe = await this.subscriber.subscribe(this.keys.jobEvents(jobId), (message) => {
      if (TERMINAL_JOB_STATUSES.has(message as JobStatus)) checkRecord = true;
      wake();
    });
    const onAbort = () => wake();
    signal?.addEventListener('abort', onAbort);
    let timer: NodeJS.Timeout | undefined;
    try {
      let after = '-';
      while (!signal?.aborted) {
        // Armed before reading, so an append announced while this pass reads is not slept through.
        const woken = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), idleMs);
          wake = () => resolve(true);
        });
        // Cleared before the read, not after: an end announced while the read is in flight (which
        // may have missed it) sets the flag again, so the next pass reads the record once more.
        const recheck = checkRecord;
        checkRecord = false;
        const ended = recheck ? await this.endedRecord(jobId) : null;
        // Chunks are written before the job's end, so after seeing the end one more read has them all.
        let entries: Array<[string, string[]]>;
        do {
          entries = (await this.connections.commands.xrange(key, after === '-' ? '-' : `(${after}`, '+', 'COUNT', READ_BATCH)) as Array<[string, string[]]>;
          for (const [id, fields] of entries) {
            after = id;
            yield { kind: 'chunk', chunk: JSON.parse(fields[1]) as ChatCompletionChunk };
          }
        } while (entries.length === READ_BATCH);
        if (ended) {
          yield { kind: 'ended', record: ended };
          return;
        }
        if (!(await woken)) yield { kind: 'idle' };
        clearTimeout(timer);
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      await unsubscribe();
    }
  }

  private async endedRecord(jobId: string): Promise<JobRecord | null> {
    const record = await this.store.find(jobId);
    return record && TERMINAL_JOB_STATUSES.has(record.status) ? record : null;
  }
}
