import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { InvalidRequestError, type BatchError, type BatchStatus } from '@switchyard/contracts';
import { RedisConnections } from '@switchyard/redis';
import { isBatchId } from './batch-id';
import { BatchKeys } from './batch-keys';
import { newBatchHash, recordFromHash, type BatchRecord } from './batch-record';
import { BEGIN_FINALIZE, CANCEL_BATCH, FAIL_BATCH, FINISH_BATCH, MARK_EXPIRED, RECORD_LINE, START_BATCH } from './batch-scripts';

/** A line's outcome, ready for the output or error file. */
export interface LineOutcome {
  line: number;
  kind: 'completed' | 'failed';
  /** The line of the output or error file. */
  json: string;
  usage?: { input: number; output: number; cached: number; reasoning: number };
}

export type RecordOutcome = { recorded: false } | { recorded: true; done: number; total: number | null };

export type CancelOutcome = { kind: 'cancelling' | 'unchanged'; status: BatchStatus } | { kind: 'missing' };

export type FinalizeStart = { kind: 'finalizing'; outputFileId: string | null; errorFileId: string | null } | { kind: 'not_ready'; status: string };

/** Custom ids written per round trip while a batch is validated. */
const CUSTOM_ID_BATCH = 1000;

/** The only code that knows how batches are laid out in Redis. */
@Injectable()
export class BatchStore {
  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: BatchKeys,
    private readonly config: SwitchyardConfig,
  ) {}

  private get redis() {
    return this.connections.commands;
  }

  /** Kept this long after it ends (the files' retention), and while it runs its window on top. */
  private retentionS(record: Pick<BatchRecord, 'deadline'>, now = Date.now()): number {
    return Math.max(1, Math.ceil((record.deadline - now) / 1000)) + this.config.files.ttlS;
  }

  async create(record: BatchRecord): Promise<void> {
    const key = this.keys.batch(record.id);
    await this.redis
      .multi()
      .hset(key, newBatchHash(record))
      .expire(key, this.retentionS(record, record.createdAt))
      .zadd(this.keys.ownerBatches(record.owner), record.createdAt, record.id)
      .exec();
  }

  /** A batch whose queueing failed: as if it never was. */
  async remove(record: BatchRecord): Promise<void> {
    await this.redis.multi().del(this.keys.batch(record.id)).zrem(this.keys.ownerBatches(record.owner), record.id).exec();
  }

  async find(id: string): Promise<BatchRecord | null> {
    if (!isBatchId(id)) return null;
    return recordFromHash(id, await this.redis.hgetall(this.keys.batch(id)));
  }

  async status(id: string): Promise<BatchStatus | null> {
    return (await this.redis.hget(this.keys.batch(id), 'status')) as BatchStatus | null;
  }

  /** Newest first; `after` is the last id of the previous page. */
  async list(owner: string, after: string | undefined, limit: number): Promise<{ batches: BatchRecord[]; hasMore: boolean }> {
    const index = this.keys.ownerBatches(owner);
    let start = 0;
    if (after !== undefined) {
      const rank = await this.redis.zrevrank(index, after);
      if (rank === null) throw new InvalidRequestError(`after must be the id of one of your batches; '${after}' is not.`, 'after');
      start = rank + 1;
    }
    const batches: BatchRecord[] = [];
    for (;;) {
      const ids = await this.redis.zrevrange(index, start, start + limit);
      const records = await Promise.all(ids.map((id) => this.find(id)));
      const gone = ids.filter((_, i) => records[i] === null);
      // An expired batch leaves its index entry behind; the first listing that meets it drops it.
      if (gone.length > 0) await this.redis.zrem(index, ...gone);
      batches.push(...records.filter((record): record is BatchRecord => record !== null));
      if (batches.length > limit) return { batches: batches.slice(0, limit), hasMore: true };
      if (ids.length <= limit) return { batches, hasMore: false };
      start += ids.length;
    }
  }

  /** The custom ids of the lines, in order, written in round trips of a thousand. */
  customIdWriter(id: string, ttlS: number): { add(customId: string): Promise<void>; flush(): Promise<void> } {
    const key = this.keys.customIds(id);
    let pending: string[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const values = pending;
      pending = [];
      await this.redis.multi().rpush(key, ...values).expire(key, ttlS).exec();
    };
    return {
      add: async (customId) => {
        pending.push(customId);
        if (pending.length >= CUSTOM_ID_BATCH) await flush();
      },
      flush,
    };
  }

  async clearCustomIds(id: string): Promise<void> {
    await this.redis.del(this.keys.customIds(id));
  }

  /** Custom ids of lines `from` to `to` (inclusive). */
  async customIds(id: string, from: number, to: number): Promise<string[]> {
    return this.redis.lrange(this.keys.customIds(id), from, to);
  }

  /** The 0-based line of a custom id, or null. */
  async lineOf(id: string, customId: string): Promise<number | null> {
    return (await this.redis.lpos(this.keys.customIds(id), customId)) as number | null;
  }

  /** For each line, whether its outcome is recorded. */
  async recordedLines(id: string, lines: number[]): Promise<boolean[]> {
    const key = this.keys.recorded(id);
    const replies = (await Promise.all(lines.map((line) => this.redis.getbit(key, line)))) as number[];
    return replies.map((bit) => bit === 1);
  }

  async start(id: string, total: number, now = Date.now()): Promise<BatchStatus | 'missing'> {
    return (await START_BATCH.run(this.redis, [this.keys.batch(id)], [total, now])) as BatchStatus | 'missing';
  }

  async fail(id: string, errors: BatchError[], now = Date.now()): Promise<boolean> {
    return (await FAIL_BATCH.run(this.redis, [this.keys.batch(id)], [JSON.stringify(errors), now, this.config.files.ttlS])) === 'failed';
  }

  async cancel(id: string, owner: string, now = Date.now()): Promise<CancelOutcome> {
    const [kind, status] = (await CANCEL_BATCH.run(this.redis, [this.keys.batch(id)], [owner, now])) as [string, BatchStatus?];
    return kind === 'missing' ? { kind } : { kind: kind as 'cancelling' | 'unchanged', status: status as BatchStatus };
  }

  /** True when the batch was still running (or validating) and is now marked expired. */
  async markExpired(id: string, now = Date.now()): Promise<boolean> {
    const status = (await MARK_EXPIRED.run(this.redis, [this.keys.batch(id)], [now])) as string;
    return status === 'validating' || status === 'in_progress' || status === 'cancelling';
  }

  async setExpanded(id: string, line: number): Promise<void> {
    await this.redis.hset(this.keys.batch(id), 'expanded', line);
  }

  async recordLine(record: Pick<BatchRecord, 'id' | 'deadline'>, outcome: LineOutcome): Promise<RecordOutcome> {
    const { id } = record;
    const usage = outcome.usage ?? { input: 0, output: 0, cached: 0, reasoning: 0 };
    const reply = (await RECORD_LINE.run(
      this.redis,
      [this.keys.batch(id), this.keys.recorded(id), this.keys.outputLines(id), this.keys.errorLines(id)],
      [outcome.line, outcome.kind, outcome.json, usage.input, usage.output, usage.cached, usage.reasoning, this.retentionS(record)],
    )) as number[];
    if (reply[0] !== 1) return { recorded: false };
    return { recorded: true, done: reply[1], total: reply[2] < 0 ? null : reply[2] };
  }

  /** Recorded output (or error) lines `from` to `to` (inclusive), as JSON text. */
  async resultLines(id: string, kind: 'completed' | 'failed', from: number, to: number): Promise<string[]> {
    return this.redis.lrange(kind === 'completed' ? this.keys.outputLines(id) : this.keys.errorLines(id), from, to);
  }

  async beginFinalize(id: string, outputFileId: string, errorFileId: string, now = Date.now()): Promise<FinalizeStart> {
    const [status, output, error] = (await BEGIN_FINALIZE.run(this.redis, [this.keys.batch(id)], [now, outputFileId, errorFileId])) as string[];
    if (status !== 'finalizing') return { kind: 'not_ready', status };
    return { kind: 'finalizing', outputFileId: output || null, errorFileId: error || null };
  }

  async finish(id: string, now = Date.now()): Promise<BatchStatus | 'missing'> {
    return (await FINISH_BATCH.run(this.redis, [this.keys.batch(id), ...this.keys.transient(id)], [now, this.config.files.ttlS])) as BatchStatus | 'missing';
  }

  /** True once per interval: whether a batch.progress event may go out now. */
  async takeProgressTurn(id: string): Promise<boolean> {
    return (await this.redis.set(this.keys.progressGate(id), '1', 'EX', this.config.batches.progressIntervalS, 'NX')) === 'OK';
  }
}
