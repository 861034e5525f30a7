import { Injectable } from '@nestjs/common';
import { ConflictError, JobNotFoundError, type JobObject } from '@switchyard/contracts';
import { ModelRouter } from '@switchyard/routing';
import { isJobId } from '../job-id';
import { toJobObject } from '../job-record';
import { JobStore } from '../job-store';
import { QueueGateway } from '../queue-gateway';

/**
 * `POST /v1/jobs/:id/retry`: a job that ended without a result (failed, canceled, expired) goes
 * through routing again, as it would today: circuits and strategies may pick other targets now.
 */
@Injectable()
export class RetryJob {
  constructor(
    private readonly store: JobStore,
    private readonly queues: QueueGateway,
    private readonly router: ModelRouter,
  ) {}

  async execute(id: string, owner: string): Promise<JobObject> {
    const record = isJobId(id) ? await this.store.find(id) : null;
    if (!record || record.owner !== owner) throw new JobNotFoundError(id);
    const plan = this.router.plan({ request: record.request, ...record.route });
    const hop = record.hop + 1;
    const outcome = await this.store.retry(id, owner, hop, plan.targets);
    if (outcome.kind === 'missing') throw new JobNotFoundError(id);
    if (outcome.kind === 'not_retryable') {
      throw new ConflictError(`Only a failed, canceled or expired job can be retried; this one is ${outcome.status}.`, 'job_not_retryable');
    }
    // Read before the entry exists: once it does, a worker may already have taken the job.
    const retried = await this.store.find(id);
    if (!retried) throw new JobNotFoundError(id);
    const [first] = plan.targets;
    await this.queues.enqueue({ jobId: id, hop, provider: first.provider, model: first.model, owner, urgency: record.priority });
    return toJobObject(retried);
  }
}
