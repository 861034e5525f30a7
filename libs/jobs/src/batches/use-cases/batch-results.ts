import { Injectable } from '@nestjs/common';
import { FileStore } from '@switchyard/files';
import { FINAL_BATCH_STATUSES } from '../batch-record';
import { BatchStore } from '../batch-store';
import { GetBatch } from './get-batch';

/** Recorded lines read per round trip. */
const PAGE = 1000;

/**
 * `GET /v1/batches/:id/results`: the lines finished so far, as JSONL in the output and error
 * files' formats (outputs first, then errors), while the batch runs; the two files once it ended.
 */
@Injectable()
export class BatchResults {
  constructor(
    private readonly store: BatchStore,
    private readonly batches: GetBatch,
    private readonly files: FileStore,
  ) {}

  /** Checks the batch is the owner's before the first line is sent, so a 404 is still possible. */
  async open(id: string, owner: string): Promise<AsyncIterable<Buffer>> {
    const batch = await this.batches.findOwned(id, owner);
    if (FINAL_BATCH_STATUSES.has(batch.status)) return this.fromFiles([batch.outputFileId, batch.errorFileId]);
    return this.fromRecords(id);
  }

  private async *fromFiles(fileIds: Array<string | null>): AsyncGenerator<Buffer> {
    for (const fileId of fileIds) {
      const file = fileId === null ? null : await this.files.find(fileId);
      if (file) yield* this.files.content(file);
    }
  }

  private async *fromRecords(id: string): AsyncGenerator<Buffer> {
    for (const kind of ['completed', 'failed'] as const) {
      for (let from = 0; ; from += PAGE) {
        const page = await this.store.resultLines(id, kind, from, from + PAGE - 1);
        if (page.length > 0) yield Buffer.from(`${page.join('\n')}\n`, 'utf8');
        if (page.length < PAGE) break;
      }
    }
  }
}
