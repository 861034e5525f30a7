import { Injectable } from '@nestjs/common';
import type { BatchObject, CursorPage } from '@switchyard/contracts';
import { InvalidRequestError } from '@switchyard/contracts';
import { batchNotFound } from '../batch-id';
import { toBatchObject, type BatchRecord } from '../batch-record';
import { BatchStore } from '../batch-store';

const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;

/** `GET /v1/batches/:id` and `GET /v1/batches`: the key's own batches only. */
@Injectable()
export class GetBatch {
  constructor(private readonly store: BatchStore) {}

  async execute(id: string, owner: string): Promise<BatchObject> {
    return toBatchObject(await this.findOwned(id, owner));
  }

  /** Someone else's batch and no batch at all look the same from outside. */
  async findOwned(id: string, owner: string): Promise<BatchRecord> {
    const record = await this.store.find(id);
    if (!record || record.owner !== owner) throw batchNotFound(id);
    return record;
  }

  /** Newest first, in OpenAI's cursor pages (`after`, `limit` 1-100, default 20). */
  async list(owner: string, after: string | undefined, limitText: string | undefined): Promise<CursorPage<BatchObject>> {
    const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new InvalidRequestError(`limit must be an integer from 1 to ${MAX_LIMIT}.`, 'limit');
    const { batches, hasMore } = await this.store.list(owner, after, limit);
    const data = batches.map(toBatchObject);
    return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: hasMore };
  }
}
