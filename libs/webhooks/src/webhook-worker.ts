import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { backgroundWorkerOptions } from '@switchyard/redis';
import { LogContext, Metrics } from '@switchyard/telemetry';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { DeliveryLog } from './delivery-log';
import { ReceiverSlots } from './receiver-slots';
import type { WebhookJobData } from './webhook-event';
import { WEBHOOK_QUEUE } from './webhook-names';
import { WEBHOOK_BACKOFF } from './webhook-queue';
import { WebhookSender } from './webhook-sender';

/** A job's events are logged under its jobId, a batch's under its batchId. */
const subjectFields = ({ subject, msgId }: WebhookJobData) => ({ [subject.startsWith('batch_') ? 'batchId' : 'jobId']: subject, webhookId: msgId });

/** How long a delivery waits when its receiver has its share of slots; not an attempt. */
const BUSY_RECEIVER_WAIT_MS = 1000;

/** A failed attempt that the schedule will try again. */
class DeliveryFailedError extends Error {
  override readonly name = 'DeliveryFailedError';
}

/**
 * The BullMQ worker of the `webhooks` queue. Only processes that run workers provide it (it is
 * not in WebhooksModule, which the API imports too): add WebhookWorkerModule or this class there.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookWorker.name);
  private worker?: Worker<WebhookJobData>;
  private readonly slots: ReceiverSlots;

  constructor(
    private readonly config: SwitchyardConfig,
    private readonly sender: WebhookSender,
    private readonly log: DeliveryLog,
    private readonly metrics: Metrics,
    private readonly logContext: LogContext,
  ) {
    this.slots = new ReceiverSlots(config.webhooks.concurrencyPerReceiver);
  }

  async onApplicationBootstrap(): Promise<void> {
    const schedule = this.config.webhooks.retryScheduleS;
    this.worker = new Worker<WebhookJobData>(WEBHOOK_QUEUE, (job, token) => this.logContext.runInContext(() => this.process(job, token), { bindings: subjectFields(job.data) }), {
      ...backgroundWorkerOptions(this.config, this.config.webhooks.concurrency),
      settings: {
        // attemptsMade counts the attempts so far, so it indexes the delay before the next one.
        backoffStrategy: (attemptsMade, type) => (type === WEBHOOK_BACKOFF ? Math.round((schedule[attemptsMade] ?? schedule.at(-1) ?? 0) * 1000) : 0),
      },
    });
    this.worker.on('error', (error) => this.logger.error(`webhook worker: ${error.message}`));
    await this.worker.waitUntilReady();
    this.logger.log(`webhook worker ready: ${WEBHOOK_QUEUE}×${this.config.webhooks.concurrency}`);
  }

  private async process(job: Job<WebhookJobData>, token?: string): Promise<void> {
    const receiver = ReceiverSlots.receiverOf(job.data.url);
    if (!this.slots.take(receiver)) {
      await job.moveToDelayed(Date.now() + BUSY_RECEIVER_WAIT_MS, token);
      throw new DelayedError();
    }
    try {
      await this.deliver(job);
    } finally {
      this.slots.release(receiver);
    }
  }

  private async deliver(job: Job<WebhookJobData>): Promise<void> {
    const { entry, retryable } = await this.sender.send(job.data, job.attemptsMade + 1);
    const willRetry = retryable && job.attemptsMade + 1 < (job.opts.attempts ?? 1);
    this.metrics.webhookDelivery(entry.outcome === 'failed' && willRetry ? 'retrying' : entry.outcome);
    // The log is for people; losing a line must not make BullMQ send a delivered webhook again.
    await this.log.append(job.data.subject, entry).catch((error: Error) => this.logger.warn(`delivery log of ${job.data.subject}: ${error.message}`));
    this.logger.debug({ outcome: entry.outcome, status: entry.status, attempt: job.attemptsMade + 1 }, 'webhook delivery attempt');
    if (entry.outcome === 'succeeded') return;
    const reason = entry.error ?? `HTTP ${entry.status}`;
    if (!retryable) throw new UnrecoverableError(reason);
    throw new DeliveryFailedError(reason);
  }

  async onApplicationShutdown(): Promise<void> {
    // Not waiting for entries in flight: one cut short is stalled and taken up again by another
    // process, and waiting could hang when Redis itself is going away (the embedded default).
    await this.worker?.close(true);
  }
}
