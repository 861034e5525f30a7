import { Injectable, Logger } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { PRIORITY, ServiceUnavailableError, TooManyRequestsError, type JobObject, type JobRequest } from '@switchyard/contracts';
import { TenantLimits } from '@switchyard/limits';
import { requestTokenWeight } from '@switchyard/providers';
import { ModelRouter } from '@switchyard/routing';
import { newJobId } from '../job-id';
import { toJobObject, type JobRecord, type RouteChoice } from '../job-record';
import { JobStore } from '../job-store';
import { QueueGateway } from '../queue-gateway';

export interface SubmitJobCommand {
  owner: string;
  request: JobRequest;
  route?: RouteChoice;
  metadata?: Record<string, string>;
  priority?: number;
}

/** Routes a job, checks its owner's limits, records it and puts it on its first target's queue. */
@Injectable()
export class SubmitJob {
  private readonly logger = new Logger(SubmitJob.name);
  private readonly maxWaiting: ReadonlyMap<string, number>;

  constructor(
    private readonly router: ModelRouter,
    private readonly store: JobStore,
    private readonly queues: QueueGateway,
    private readonly tenants: TenantLimits,
    config: SwitchyardConfig,
  ) {
    this.maxWaiting = new Map(config.auth.keys.flatMap((key) => (key.limits.maxWaiting ? [[key.name, key.limits.maxWaiting] as const] : [])));
  }

  async execute(command: SubmitJobCommand): Promise<JobObject> {
    const { request, owner } = command;
    const route = command.route ?? {};
    const plan = this.router.plan({ request, ...route });
    await this.tenants.admit(owner, requestTokenWeight(request));
    const record: JobRecord = {
      id: newJobId(),
      owner,
      type: request.type,
      status: 'queued',
      model: plan.model,
      priority: command.priority ?? PRIORITY.default,
      metadata: command.metadata ?? {},
      request,
      route,
      targets: plan.targets,
      targetIndex: 0,
      tries: 0,
      hop: 0,
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
    await this.admitWaiting(record);
    const [first] = plan.targets;
    try {
      // Record first, queue second: a worker must never pick up an id with no record behind it.
      await this.store.create(record);
      await this.queues.enqueue({ jobId: record.id, hop: 0, provider: first.provider, model: first.model, owner, urgency: record.priority });
    } catch (error) {
      this.logger.error(`could not enqueue ${record.id}: ${(error as Error).message}`);
      await Promise.allSettled([this.store.delete(record.id), this.store.release(owner, record.id)]);
      throw new ServiceUnavailableError('The job queue is unavailable; retry shortly.');
    }
    return toJobObject(record);
  }

  private async admitWaiting(record: JobRecord): Promise<void> {
    const max = this.maxWaiting.get(record.owner);
    if (max === undefined) return;
    let admitted: boolean;
    try {
      admitted = await this.store.admit(record.owner, record.id, max);
    } catch {
      throw new ServiceUnavailableError('The job queue is unavailable; retry shortly.');
    }
    if (!admitted) {
      throw new TooManyRequestsError(`This API key already has ${max} unfinished jobs, its max_waiting; submit more as they finish.`, 'max_waiting_exceeded', 1);
    }
  }
}
