import { Injectable, Logger } from '@nestjs/common';
import { PRIORITY, ServiceUnavailableError, type JobObject, type JobRequest } from '@switchyard/contracts';
import { TargetAdmission } from '@switchyard/providers';
import { ModelRouter } from '@switchyard/routing';
import { newJobId } from '../job-id';
import { toJobObject, type JobRecord } from '../job-record';
import { JobStore } from '../job-store';
import { QueueGateway } from '../queue-gateway';

export interface SubmitJobCommand {
  owner: string;
  request: JobRequest;
  metadata?: Record<string, string>;
  priority?: number;
}

/** Records a job and puts it on its first target's queue. */
@Injectable()
export class SubmitJob {
  private readonly logger = new Logger(SubmitJob.name);

  constructor(
    private readonly router: ModelRouter,
    private readonly store: JobStore,
    private readonly queues: QueueGateway,
    private readonly admission: TargetAdmission,
  ) {}

  async execute(command: SubmitJobCommand): Promise<JobObject> {
    const { request } = command;
    const plan = this.router.plan(request.model);
    const [first] = plan.targets;
    if (request.type === 'embedding') this.admission.checkEmbedding(request, first);
    else this.admission.checkChat(request, first);
    const record: JobRecord = {
      id: newJobId(),
      owner: command.owner,
      type: request.type,
      status: 'queued',
      model: plan.model,
      priority: command.priority ?? PRIORITY.default,
      metadata: command.metadata ?? {},
      request,
      targets: plan.targets,
      provider: null,
      providerModel: null,
      attempts: [],
      result: null,
      error: null,
      usage: null,
      costUsd: null,
      createdAt: Date.now(),
      startedAt: null,
      finishedAt: null,
    };
    try {
      // Record first, queue second: a worker must never pick up an id with no record behind it.
      await this.store.create(record);
      await this.queues.enqueue({ jobId: record.id, provider: first.provider, model: first.model }, record.priority);
    } catch (error) {
      this.logger.error(`could not enqueue ${record.id}: ${(error as Error).message}`);
      await this.store.delete(record.id).catch(() => undefined);
      throw new ServiceUnavailableError('The job queue is unavailable; retry shortly.');
    }
    return toJobObject(record);
  }
}
