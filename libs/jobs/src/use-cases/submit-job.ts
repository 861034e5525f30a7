import { Injectable, Logger, Optional } from '@nestjs/common';
import { ConflictError, InvalidRequestError, PRIORITY, ServiceUnavailableError, TooManyRequestsError, type JobObject, type JobRequest } from '@switchyard/contracts';
import { TenantLimits } from '@switchyard/limits';
import { ApiKeys } from '@switchyard/tenants';
import { requestTokenWeight } from '@switchyard/providers';
import { ModelRouter } from '@switchyard/routing';
import { Metrics } from '@switchyard/telemetry';
import { WebhookUrlGuard } from '@switchyard/webhooks';
import { newJobId } from '../job-id';
import { DeadlineQueue } from '../deadline-queue';
import { IdempotencyKeys } from '../idempotency-keys';
import { toJobObject, type BatchLineRef, type JobRecord, type RequestCacheRule, type RouteChoice } from '../job-record';
import { JobStore } from '../job-store';
import { QueueGateway, type QueueEntry } from '../queue-gateway';
import { DirectCalls, type DirectSlot } from '../interactive/direct-calls';

export interface SubmitJobCommand {
  owner: string;
  request: JobRequest;
  route?: RouteChoice;
  metadata?: Record<string, string>;
  priority?: number;
  /** Unix ms. */
  deadline?: number;
  webhook?: { url: string };
  cache?: RequestCacheRule;
  idempotency?: { key: string; fingerprint: string };
  /** A batch line's job id is derived from its batch and line, so expanding a batch twice creates it once. */
  id?: string;
  batch?: BatchLineRef;
  /** The worker relays the answer's chunks as they come (interactive streaming calls). */
  stream?: boolean;
  /** The waiting API process's channel (InteractiveWaiters), told of the job's end. */
  notify?: string;
  /**
   * Nothing else of its owner is waited on in this API process: the job goes to the front of its
   * priority band, queued in the same round trip as its record rather than after its fair-share
   * tag. Fair queuing only reorders what waits, and an owner with nothing waiting would be served
   * next anyway; this is the latency path of an interactive call (docs/decisions.md).
   */
  frontOfBand?: boolean;
}

export interface SubmitOutcome {
  job: JobObject;
  /** An earlier submit with the same Idempotency-Key created this job. */
  replayed: boolean;
}

/** How long a repeat waits for the record of the submit it repeats, when both arrive together. */
const REPLAY_WAIT_MS = 2000;
const REPLAY_POLL_MS = 20;

/** Routes a job, checks its owner's limits, records it and puts it on its first target's queue. */
@Injectable()
export class SubmitJob {
  private readonly logger = new Logger(SubmitJob.name);

  constructor(
    private readonly router: ModelRouter,
    private readonly store: JobStore,
    private readonly queues: QueueGateway,
    private readonly tenants: TenantLimits,
    private readonly idempotency: IdempotencyKeys,
    private readonly deadlines: DeadlineQueue,
    private readonly webhookUrls: WebhookUrlGuard,
    private readonly metrics: Metrics,
    private readonly keys: ApiKeys,
    @Optional() private readonly direct?: DirectCalls,
  ) {}

  async execute(command: SubmitJobCommand): Promise<SubmitOutcome> {
    const { request, owner, idempotency } = command;
    const route = command.route ?? {};
    const plan = this.router.plan({ request, ...route });
    if (command.webhook) await this.checkWebhook(owner, command.webhook.url);
    const id = command.id ?? newJobId();
    if (idempotency) {
      const claim = await this.idempotency.claim(owner, idempotency.key, idempotency.fingerprint, id);
      if (claim.kind === 'existing') return { job: await this.replay(claim.jobId, owner), replayed: true };
      if (claim.kind === 'conflict') {
        throw new ConflictError('This Idempotency-Key was already used with a different request body.', 'idempotency_conflict');
      }
    }
    try {
      return { job: await this.create(id, command, route, plan.model, plan.targets), replayed: false };
    } catch (error) {
      if (idempotency) await this.idempotency.release(owner, idempotency.key).catch(() => undefined);
      throw error;
    }
  }

  private async create(id: string, command: SubmitJobCommand, route: RouteChoice, model: string, targets: JobRecord['targets']): Promise<JobObject> {
    const { request, owner } = command;
    await this.tenants.admit(owner, requestTokenWeight(request));
    const record: JobRecord = {
      id,
      owner,
      type: request.type,
      status: 'queued',
      model,
      priority: command.priority ?? PRIORITY.default,
      metadata: command.metadata ?? {},
      request,
      route,
      targets,
      targetIndex: 0,
      tries: 0,
      hop: 0,
      deadline: command.deadline ?? null,
      webhook: command.webhook ?? null,
      cache: command.cache ?? null,
      batch: command.batch ?? null,
      cached: false,
      stream: command.stream ?? false,
      notify: command.notify ?? null,
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
    const [first] = targets;
    // A plain interactive call this process may run itself (DirectCalls), else its worker starts it
    // from the entry's copy of the record (JobRunner).
    const slot = record.notify && !record.stream ? this.direct?.reserve(record) : null;
    try {
      const fair = { provider: first.provider, cost: await this.queues.fairCost(owner) };
      const entry = { jobId: record.id, hop: 0, provider: first.provider, model: first.model, owner, urgency: record.priority, ...(record.notify && !record.stream && { record }) };
      if (slot) {
        await this.createDirect(record, { ...fair, model: first.model }, slot, entry);
      } else if (command.frontOfBand) {
        // Sent together, in order on the queue's connection (a worker that still finds the entry
        // first, after a script reload, waits for the record: JobRunner).
        const connection = await this.queues.connection(first.provider);
        await Promise.all([this.store.create(record, fair, connection), this.queues.enqueue({ ...entry, tag: 0 })]);
      } else {
        // The entry's priority needs the tag the record's write takes.
        await this.queues.enqueue({ ...entry, tag: await this.store.create(record, fair) });
      }
      if (record.deadline !== null) await this.deadlines.schedule(record.id, record.deadline);
    } catch (error) {
      slot?.release();
      this.logger.error(`could not enqueue ${record.id}: ${(error as Error).message}`);
      await Promise.allSettled([this.store.delete(record.id), this.store.release(owner, record.id), this.queues.remove(first.provider, record.id, 0)]);
      throw new ServiceUnavailableError('The job queue is unavailable; retry shortly.');
    }
    this.logger.debug({ jobId: record.id, provider: first.provider }, 'job queued');
    this.metrics.jobSubmitted(model, owner);
    return toJobObject(record);
  }

  /**
   * Starts the job in this process when nothing waits ahead of it on its queue, else queues it.
   * The slot may start the call while the script is on its way (DirectCallRunner).
   */
  private async createDirect(record: JobRecord, first: { provider: string; model: string; cost: number }, slot: DirectSlot, entry: QueueEntry): Promise<void> {
    // Alone, it goes on the queue's connection, which sends at once; among others, on the commands
    // connection, which sends what a turn of the event loop gathered in one write.
    const via = slot.crowded ? undefined : await this.queues.connection(first.provider);
    const created = this.store.createDirect(record, first, this.queues.idleCheck(first.provider), slot.leaseUntil, via);
    slot.run({ ...record, status: 'active', provider: first.provider, providerModel: first.model, startedAt: record.createdAt }, created);
    const { tag, direct } = await created;
    if (!direct) await this.queues.enqueue({ ...entry, tag });
  }

  private async checkWebhook(owner: string, url: string): Promise<void> {
    if (!(await this.keys.find(owner))?.webhook.secrets.length) {
      throw new InvalidRequestError('This API key has no webhook secret configured (auth.keys[].webhook.secret); deliveries are always signed.', 'webhook.url', 'webhook_secret_missing');
    }
    await this.webhookUrls.checkAtSubmit(url);
  }

  /** The job an earlier submit with the same key created; it may still be being written. */
  private async replay(jobId: string, owner: string): Promise<JobObject> {
    for (const started = Date.now(); Date.now() - started < REPLAY_WAIT_MS; ) {
      const record = await this.store.find(jobId);
      if (record && record.owner === owner) return toJobObject(record);
      await new Promise((resolve) => setTimeout(resolve, REPLAY_POLL_MS));
    }
    throw new ConflictError('A request with this Idempotency-Key is still being processed; retry shortly.', 'idempotency_conflict');
  }

  private async admitWaiting(record: JobRecord): Promise<void> {
    const max = (await this.keys.find(record.owner))?.limits.maxWaiting;
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
