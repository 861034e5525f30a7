import { Injectable } from '@nestjs/common';
import { RedisKeys } from '../redis-keys';

/** Every Redis key of batches, under the job store's prefix. */
@Injectable()
export class BatchKeys {
  private readonly prefix: string;

  constructor(keys: RedisKeys) {
    this.prefix = keys.prefix;
  }

  batch(id: string): string {
    return `${this.prefix}:batch:${id}`;
  }

  /** One bit per line, set when the line's outcome is recorded: each line counts once. */
  recorded(id: string): string {
    return `${this.prefix}:batch-recorded:${id}`;
  }

  /** Output lines of the lines that succeeded so far, as they will go in the output file. */
  outputLines(id: string): string {
    return `${this.prefix}:batch-output:${id}`;
  }

  /** The same for the lines that failed, bound for the error file. */
  errorLines(id: string): string {
    return `${this.prefix}:batch-errors:${id}`;
  }

  /** Each line's custom_id, in input order, written when the input is validated. */
  customIds(id: string): string {
    return `${this.prefix}:batch-lines:${id}`;
  }

  /** Held for `batches.progress_interval_s` after each batch.progress event. */
  progressGate(id: string): string {
    return `${this.prefix}:batch-progress:${id}`;
  }

  /** The owner's batches, scored by creation time. */
  ownerBatches(owner: string): string {
    return `${this.prefix}:batches:${owner}`;
  }

  /** Keys that only matter until the batch is finalized. */
  transient(id: string): string[] {
    return [this.recorded(id), this.outputLines(id), this.errorLines(id), this.customIds(id), this.progressGate(id)];
  }
}
