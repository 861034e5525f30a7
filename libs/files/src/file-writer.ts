import type { FilePurpose } from '@switchyard/contracts';
import type { RedisClient } from '@switchyard/redis';
import type { ChainableCommander } from 'ioredis';
import type { FileKeys } from './file-keys';
import { recordToHash, type FileRecord } from './file-record';

/**
 * Content is stored in pieces of this size: small enough that reading or writing one never holds
 * much memory, large enough that a 200 MB file is a couple of hundred Redis commands.
 */
export const FILE_CHUNK_BYTES = 1024 * 1024;

export interface FileMeta {
  owner: string;
  purpose: FilePurpose;
  filename: string;
  /** The file is deleted this long after it is committed. */
  ttlS: number;
  lines?: number;
}

/** A MULTI reports a failed command in its reply instead of rejecting; a lost piece must not pass unseen. */
export async function execAll(multi: ChainableCommander): Promise<void> {
  const replies = (await multi.exec()) ?? [];
  const failed = replies.find(([error]) => error);
  if (failed) throw failed[0];
}

/**
 * Streams a new file's content into Redis piece by piece; `commit` then makes it visible. Until
 * then only its content list exists, with a TTL, so an upload cut short leaves nothing for good.
 */
export class FileWriter {
  /**
   * One piece's worth of memory, filled and sent again and again: a 200 MB upload then leaves no
   * trail of megabyte buffers for the garbage collector to catch up with.
   */
  private readonly piece = Buffer.allocUnsafe(FILE_CHUNK_BYTES);
  private filled = 0;
  private chunks = 0;
  /** Bytes written so far. */
  bytes = 0;

  constructor(
    readonly id: string,
    private readonly redis: RedisClient,
    private readonly keys: FileKeys,
    private readonly ttlS: number,
  ) {}

  /** Resolves once any full piece is stored, so a caller that awaits it reads no faster than Redis takes. */
  async write(data: Buffer | string): Promise<void> {
    const source = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let offset = 0; offset < source.length; ) {
      const copied = source.copy(this.piece, this.filled, offset);
      offset += copied;
      this.filled += copied;
      this.bytes += copied;
      if (this.filled === FILE_CHUNK_BYTES) await this.flush();
    }
  }

  async commit(meta: FileMeta, now = Date.now()): Promise<FileRecord> {
    if (this.filled > 0) await this.flush();
    const record: FileRecord = {
      id: this.id,
      owner: meta.owner,
      purpose: meta.purpose,
      filename: meta.filename,
      bytes: this.bytes,
      lines: meta.lines ?? 0,
      chunks: this.chunks,
      createdAt: now,
      expiresAt: now + meta.ttlS * 1000,
    };
    const file = this.keys.file(this.id);
    await execAll(
      this.redis
        .multi()
        .hset(file, recordToHash(record))
        .expire(file, meta.ttlS)
        .expire(this.keys.chunks(this.id), meta.ttlS)
        .zadd(this.keys.ownerFiles(meta.owner), now, this.id),
    );
    return record;
  }

  /** Drops what was written (an upload refused or cut short); also empties a file to write again. */
  async discard(): Promise<void> {
    this.filled = 0;
    this.chunks = 0;
    this.bytes = 0;
    await this.redis.del(this.keys.chunks(this.id));
  }

  /** The piece may be filled again once Redis has answered: by then it has every byte of it. */
  private async flush(): Promise<void> {
    const key = this.keys.chunks(this.id);
    await execAll(this.redis.multi().rpush(key, this.piece.subarray(0, this.filled)).expire(key, this.ttlS));
    this.filled = 0;
    this.chunks += 1;
  }
}
