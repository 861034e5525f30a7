import { Injectable, Logger } from '@nestjs/common';
import { ApiKeys } from '@switchyard/tenants';
import { WebhookQueue } from '@switchyard/webhooks';
import { toBatchObject, type BatchRecord } from './batch-record';
import { BatchStore } from './batch-store';

/**
 * A batch's webhook events (its own webhook, else its API key's default): `batch.progress` at most
 * every `batches.progress_interval_s` while it runs, and one of `batch.completed`, `batch.failed`,
 * `batch.expired`, `batch.cancelled` when it ends (OpenAI's event names).
 */
@Injectable()
export class BatchEvents {
  private readonly logger = new Logger(BatchEvents.name);

  constructor(
    private readonly store: BatchStore,
    private readonly webhooks: WebhookQueue,
    private readonly keys: ApiKeys,
  ) {}

  private async urlFor(batch: BatchRecord): Promise<string | undefined> {
    return batch.webhook?.url ?? (await this.keys.find(batch.owner))?.webhook.url;
  }

  /** After a line is recorded; most calls end at the interval's gate. */
  async progress(batch: BatchRecord): Promise<void> {
    const url = await this.urlFor(batch);
    if (url === undefined || !(await this.store.takeProgressTurn(batch.id))) return;
    const now = await this.store.find(batch.id);
    if (!now) return;
    const done = now.completed + now.failed;
    await this.send(now, 'batch.progress', url, done);
  }

  async ended(batchId: string): Promise<void> {
    const batch = await this.store.find(batchId);
    const url = batch && (await this.urlFor(batch));
    if (batch && url) await this.send(batch, `batch.${batch.status}`, url, 0);
  }

  private async send(batch: BatchRecord, type: `batch.${string}`, url: string, occurrence: number): Promise<void> {
    try {
      await this.webhooks.enqueue({ type, subject: batch.id, owner: batch.owner, url, payload: toBatchObject(batch), occurrence });
    } catch (error) {
      this.logger.error({ batchId: batch.id }, `the batch's ${type} event could not be queued: ${(error as Error).message}`);
    }
  }
}
