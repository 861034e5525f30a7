import { Injectable, Logger } from '@nestjs/common';
import { ConflictError, type JobObject, type JobStatus } from '@switchyard/contracts';
import { ApiKeys } from '@switchyard/tenants';
import { WebhookQueue } from '@switchyard/webhooks';
import { BatchLineRecorder } from './batches/batch-line-recorder';
import { toJobObject, type BatchLineRef } from './job-record';
import { JobStore } from './job-store';

const EVENT_OF: Partial<Record<JobStatus, `${string}.${string}`>> = {
  succeeded: 'job.succeeded',
  failed: 'job.failed',
  canceled: 'job.canceled',
  // An expired job failed to finish in time; receivers see `status: "expired"` in the payload.
  expired: 'job.failed',
};

/** Sends a finished job's event to its webhook (the job's own, else its API key's default). */
@Injectable()
export class JobNotifier {
  private readonly logger = new Logger(JobNotifier.name);

  constructor(
    private readonly store: JobStore,
    private readonly webhooks: WebhookQueue,
    private readonly batchLines: BatchLineRecorder,
    private readonly keys: ApiKeys,
  ) {}

  /** The job's own webhook, else its API key's default. */
  async urlFor(job: { owner: string; webhook: { url: string } | null }): Promise<string | undefined> {
    return job.webhook?.url ?? (await this.keys.find(job.owner))?.webhook.url;
  }

  /** For a job known only by id (one that shared another job's call). */
  async jobEndedById(id: string): Promise<void> {
    const record = await this.store.find(id);
    if (record) await this.jobEnded(record);
  }

  /** Only reads the job back when it has somewhere to go, so jobs without webhooks cost nothing. */
  async jobEnded(job: { id: string; owner: string; webhook: { url: string } | null; batch?: BatchLineRef | null }): Promise<void> {
    // A batch line reports to its batch, whose own events tell of it, instead of sending job events.
    if (job.batch) return this.batchLines.lineEnded(job.id, job.batch);
    try {
      const url = await this.urlFor(job);
      if (url === undefined) return;
      const record = await this.store.find(job.id);
      const type = record && EVENT_OF[record.status];
      if (!record || !type) return;
      await this.webhooks.enqueue({ type, subject: record.id, owner: record.owner, url, payload: toJobObject(record), occurrence: record.hop });
    } catch (error) {
      this.logger.error({ jobId: job.id }, `the job's webhook event could not be queued: ${(error as Error).message}`);
    }
  }
}

/** `POST /v1/jobs/:id/deliveries/redeliver`: the finished job's event again, with a new delivery id. */
@Injectable()
export class RedeliverJobEvent {
  constructor(
    private readonly store: JobStore,
    private readonly webhooks: WebhookQueue,
    private readonly notifier: JobNotifier,
  ) {}

  async execute(id: string, job: JobObject): Promise<string> {
    const record = await this.store.find(id);
    const url = record ? await this.notifier.urlFor(record) : undefined;
    const type = record ? EVENT_OF[record.status] : undefined;
    if (!record || !url || !type) throw new ConflictError('The job has not ended or has no webhook to deliver to.', 'nothing_to_deliver');
    return this.webhooks.redeliver({ type, subject: id, owner: record.owner, url, payload: job });
  }
}
