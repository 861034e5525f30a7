import { Injectable } from '@nestjs/common';
import { ConflictError, InvalidRequestError, type FilePurpose } from '@switchyard/contracts';
import { RedisConnections } from '@switchyard/redis';
import { FileKeys } from './file-keys';
import { fileNotFound, isFileId, newFileId, recordFromHash, type FileRecord } from './file-record';
import { FileWriter } from './file-writer';

export interface FileListQuery {
  owner: string;
  purpose?: FilePurpose;
  /** The id the previous page ended with. */
  after?: string;
  limit: number;
  order: 'asc' | 'desc';
}

export interface FilePage {
  files: FileRecord[];
  hasMore: boolean;
}

/** Ids read from the owner's index per round trip while filling a page. */
const INDEX_PAGE = 500;

/** The only code that knows how files are laid out in Redis. */
@Injectable()
export class FileStore {
  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: FileKeys,
  ) {}

  private get redis() {
    return this.connections.commands;
  }

  /** A new, empty file to stream content into; `ttlS` bounds an abandoned write too. */
  create(ttlS: number, id = newFileId()): FileWriter {
    return new FileWriter(id, this.redis, this.keys, ttlS);
  }

  async find(id: string): Promise<FileRecord | null> {
    if (!isFileId(id)) return null;
    return recordFromHash(id, await this.redis.hgetall(this.keys.file(id)));
  }

  async findOwned(id: string, owner: string, param?: string): Promise<FileRecord> {
    const record = await this.find(id);
    if (!record || record.owner !== owner) throw fileNotFound(id, param);
    return record;
  }

  /** The content, piece by piece. */
  async *content(record: FileRecord): AsyncGenerator<Buffer> {
    const key = this.keys.chunks(record.id);
    for (let index = 0; index < record.chunks; index += 1) {
      const piece = await this.redis.lindexBuffer(key, index);
      if (piece === null) throw new Error(`file ${record.id} was deleted while it was being read`);
      yield piece;
    }
  }

  async list(query: FileListQuery): Promise<FilePage> {
    const index = this.keys.ownerFiles(query.owner);
    let start = 0;
    if (query.after !== undefined) {
      const rank = query.order === 'desc' ? await this.redis.zrevrank(index, query.after) : await this.redis.zrank(index, query.after);
      if (rank === null) throw new InvalidRequestError(`after must be the id of one of your files; '${query.after}' is not.`, 'after');
      start = rank + 1;
    }
    const files: FileRecord[] = [];
    for (;;) {
      const stop = start + INDEX_PAGE - 1;
      const ids = query.order === 'desc' ? await this.redis.zrevrange(index, start, stop) : await this.redis.zrange(index, String(start), String(stop));
      const records = await Promise.all(ids.map((id) => this.find(id)));
      const gone = ids.filter((_, i) => records[i] === null);
      // An expired file leaves its index entry behind; the first listing that meets it drops it.
      if (gone.length > 0) await this.redis.zrem(index, ...gone);
      for (const record of records) {
        if (record && (query.purpose === undefined || record.purpose === query.purpose)) files.push(record);
        if (files.length > query.limit) return { files: files.slice(0, query.limit), hasMore: true };
      }
      if (ids.length < INDEX_PAGE) return { files, hasMore: false };
      start += INDEX_PAGE;
    }
  }

  async delete(record: FileRecord): Promise<void> {
    if ((await this.redis.scard(this.keys.pins(record.id))) > 0) {
      throw new ConflictError('The file is the input of a batch that is still reading it; delete it once the batch is in progress.', 'file_in_use');
    }
    await this.redis.multi().del(this.keys.file(record.id), this.keys.chunks(record.id)).zrem(this.keys.ownerFiles(record.owner), record.id).exec();
  }

  /**
   * A batch reads the file for up to `ttlS`: it cannot be deleted until `unpin`, and it is kept at
   * least that long even if it was due to expire sooner.
   */
  async pin(id: string, batchId: string, ttlS: number, now = Date.now()): Promise<void> {
    const pins = this.keys.pins(id);
    const file = this.keys.file(id);
    const multi = this.redis.multi().sadd(pins, batchId).expire(pins, ttlS);
    if ((await this.redis.ttl(file)) < ttlS) {
      multi.expire(file, ttlS).expire(this.keys.chunks(id), ttlS).hset(file, 'expires_at', now + ttlS * 1000);
    }
    await multi.exec();
  }

  async unpin(id: string, batchId: string): Promise<void> {
    await this.redis.srem(this.keys.pins(id), batchId);
  }
}
