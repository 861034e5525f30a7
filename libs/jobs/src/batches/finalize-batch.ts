import { Injectable, Logger } from '@nestjs/common';
import { BATCH_OUTPUT_PURPOSE } from '@switchyard/contracts';
import { FileStore, newFileId } from '@switchyard/files';
import { BatchEvents } from './batch-events';
import { BatchQueue } from './batch-queue';
import type { BatchRecord } from './batch-record';
import { BatchStore } from './batch-store';

/** Recorded lines read per round trip while a file is written. */
const PAGE = 1000;

/**
 * `finalizing`: every line is recorded; their output lines become the output file (lines that
 * succeeded) and the error file (the rest), written as streams, and the batch ends. A finalizer
 * that dies halfway is run again and writes the same two files again from the start.
 */
@Injectable()
export class FinalizeBatch {
  private readonly logger = new Logger(FinalizeBatch.name);

  constructor(
    private readonly store: BatchStore,
    private readonly files: FileStore,
    private readonly queue: BatchQueue,
    private readonly events: BatchEvents,
  ) {}

  async execute(batchId: string): Promise<void> {
    const batch = await this.store.find(batchId);
    if (!batch) return;
    const start = await this.store.beginFinalize(batchId, batch.completed > 0 ? newFileId() : '', batch.failed > 0 ? newFileId() : '');
    if (start.kind !== 'finalizing') return;
    if (start.outputFileId) await this.writeFile(batch, start.outputFileId, 'completed');
    if (start.errorFileId) await this.writeFile(batch, start.errorFileId, 'failed');
    const status = await this.store.finish(batchId);
    await Promise.all([this.files.unpin(batch.inputFileId, batchId), this.queue.dropExpiry(batchId)]);
    this.logger.log({ batchId, status, completed: batch.completed, failed: batch.failed }, 'batch finished');
    await this.events.ended(batchId);
  }

  private async writeFile(batch: BatchRecord, fileId: string, kind: 'completed' | 'failed'): Promise<void> {
    const writer = this.files.create(batch.outputTtlS, fileId);
    await writer.discard();
    let lines = 0;
    for (let from = 0; ; from += PAGE) {
      const page = await this.store.resultLines(batch.id, kind, from, from + PAGE - 1);
      for (const line of page) await writer.write(`${line}\n`);
      lines += page.length;
      if (page.length < PAGE) break;
    }
    const filename = `${batch.id}_${kind === 'completed' ? 'output' : 'error'}.jsonl`;
    await writer.commit({ owner: batch.owner, purpose: BATCH_OUTPUT_PURPOSE, filename, ttlS: batch.outputTtlS, lines });
  }
}
