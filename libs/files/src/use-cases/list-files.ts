import { Injectable } from '@nestjs/common';
import { InvalidRequestError, type CursorPage, type FileObject, type FilePurpose } from '@switchyard/contracts';
import { toFileObject } from '../file-record';
import { FileStore } from '../file-store';

export interface ListFilesQuery {
  owner: string;
  purpose?: string;
  after?: string;
  limit?: string;
  order?: string;
}

const MAX_LIMIT = 10_000;
const PURPOSES = new Set<string>(['batch', 'batch_output', 'user_data']);

/** `GET /v1/files`: the key's files, newest first unless `order=asc`, in OpenAI's cursor pages. */
@Injectable()
export class ListFiles {
  constructor(private readonly store: FileStore) {}

  async execute(query: ListFilesQuery): Promise<CursorPage<FileObject>> {
    const limit = query.limit === undefined ? MAX_LIMIT : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new InvalidRequestError(`limit must be an integer from 1 to ${MAX_LIMIT}.`, 'limit');
    const order = query.order ?? 'desc';
    if (order !== 'asc' && order !== 'desc') throw new InvalidRequestError("order must be 'asc' or 'desc'.", 'order');
    // An unknown purpose matches no file, as at OpenAI; it is not an error.
    if (query.purpose !== undefined && !PURPOSES.has(query.purpose)) return page([], false);
    const { files, hasMore } = await this.store.list({ owner: query.owner, purpose: query.purpose as FilePurpose | undefined, after: query.after, limit, order });
    return page(files.map(toFileObject), hasMore);
  }
}

function page(data: FileObject[], hasMore: boolean): CursorPage<FileObject> {
  return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: hasMore };
}
