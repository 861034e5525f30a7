import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { JobsOptions, Queue } from 'bullmq';
import { newMessageId, type WebhookEvent, type WebhookJobData } from './webhook-event';
import { WEBHOOK_QUEUE } from './webhook-names';

/** The backoff type whose delays the worker reads from `webhooks.retry_schedule_s`. */
export const WEBHOOK_BACKOFF = 'webhook';

/** Adds deliveries to the `webhooks` queue; the API and the provider workers use it. */
@Injectable()
export class WebhookQueue {
  constructor(
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<WebhookJobData>,
    private readonly config: SwitchyardConfig,
  ) {}

  /**
   * The entry id is deterministic per event occurrence: a worker that emits the same event twice
   * (a crash between its write and its ack, then the rerun) adds it once, with one webhook-id.
   */
  async enqueue(event: WebhookEvent): Promise<void> {
    const entryId = `${event.subject}.${event.type}.${event.occurrence ?? 0}`;
    const delayMs = Math.round((this.config.webhooks.retryScheduleS[0] ?? 0) * 1000);
    await this.add(event, newMessageId(), entryId, delayMs);
  }

  /** A new delivery (new webhook-id) of an event that already happened, sent now; resolves with its id. */
  async redeliver(event: WebhookEvent): Promise<string> {
    const msgId = newMessageId();
    await this.add(event, msgId, `${event.subject}.${event.type}.${msgId}`, 0);
    return msgId;
  }

  private async add(event: WebhookEvent, msgId: string, entryId: string, delayMs: number): Promise<void> {
    const { succeededS, failedS, queueMaxCompleted, queueMaxFailed } = this.config.retention;
    const data: WebhookJobData = {
      msgId,
      type: event.type,
      subject: event.subject,
      owner: event.owner,
      url: event.url,
      payload: event.payload,
      occurredAt: new Date().toISOString(),
    };
    const options: JobsOptions = {
      jobId: entryId,
      ...(delayMs > 0 && { delay: delayMs }),
      attempts: this.config.webhooks.retryScheduleS.length,
      backoff: { type: WEBHOOK_BACKOFF },
      removeOnComplete: { age: succeededS, count: queueMaxCompleted },
      removeOnFail: { age: failedS, count: queueMaxFailed },
    };
    await this.queue.add(event.type, data, options);
  }
}
