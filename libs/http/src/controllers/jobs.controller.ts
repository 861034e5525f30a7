import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { CreateEmbeddingJobDto, CreateJobDto, InvalidRequestError, MAX_JOB_TIMEOUT_S, validateBody, type JobObject, type JobRequest, type ListObject } from '@switchyard/contracts';
import { CancelJob, GetJob, IdempotencyKeys, RedeliverJobEvent, RetryJob, SubmitJob, type SubmitJobCommand } from '@switchyard/jobs';
import { ListDeliveries, type DeliveryAttempt } from '@switchyard/webhooks';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { clientDisconnectSignal } from './client-disconnect';

@Controller('v1/jobs')
export class JobsController {
  constructor(
    private readonly submitJob: SubmitJob,
    private readonly getJob: GetJob,
    private readonly cancelJob: CancelJob,
    private readonly retryJob: RetryJob,
    private readonly listDeliveries: ListDeliveries,
    private readonly redeliverJob: RedeliverJobEvent,
    private readonly config: SwitchyardConfig,
  ) {}

  /** 202 for a new job; 200 with the original job when an Idempotency-Key repeats a submit. */
  @Post()
  @HttpCode(202)
  async create(
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobObject> {
    const { job, replayed } = await this.submitJob.execute(this.parseJobBody(body, principal.name, idempotencyKey));
    if (replayed) reply.code(200);
    return job;
  }

  @Get(':id')
  get(
    @Param('id') id: string,
    @Query('wait') wait: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobObject> {
    const waitS = this.parseWait(wait);
    const signal = waitS > 0 ? clientDisconnectSignal(reply) : undefined;
    return this.getJob.execute({ id, owner: principal.name, waitMs: waitS * 1000, signal });
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<JobObject> {
    return this.cancelJob.execute(id, principal.name);
  }

  /** Every delivery attempt of the job's webhook events, oldest first. */
  @Get(':id/deliveries')
  async deliveries(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<ListObject<DeliveryAttempt>> {
    await this.getJob.execute({ id, owner: principal.name });
    return { object: 'list', data: await this.listDeliveries.execute(id) };
  }

  /** Sends the job's final event again, now, with a new delivery id. */
  @Post(':id/deliveries/redeliver')
  @HttpCode(202)
  async redeliver(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<{ object: 'delivery'; id: string }> {
    const job = await this.getJob.execute({ id, owner: principal.name });
    return { object: 'delivery', id: await this.redeliverJob.execute(id, job) };
  }

  /** A job that ended without a result goes through routing again. */
  @Post(':id/retry')
  @HttpCode(202)
  retry(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<JobObject> {
    return this.retryJob.execute(id, principal.name);
  }

  /** A chat job unless the body says `"type": "embedding"`; each shape is validated by its own DTO. */
  private parseJobBody(body: unknown, owner: string, idempotencyHeader: string | undefined): SubmitJobCommand {
    const isEmbedding = typeof body === 'object' && body !== null && (body as { type?: unknown }).type === 'embedding';
    const dto = isEmbedding ? validateBody(CreateEmbeddingJobDto, body) : validateBody(CreateJobDto, body);
    const { metadata, priority, models, route, webhook, cache, timeout_s, expires_at, idempotency_key, ...fields } = dto;
    delete (fields as { stream?: boolean }).stream;
    // A plain copy: the stored request must not carry DTO class instances or undefined fields.
    const request = JSON.parse(JSON.stringify({ ...fields, type: isEmbedding ? 'embedding' : 'chat' })) as JobRequest;
    const fallbackModels = [...(models ?? []), ...(route?.models ?? [])];
    const key = idempotencyHeader ?? idempotency_key;
    if (key !== undefined && (key.length === 0 || key.length > 256)) throw new InvalidRequestError('Idempotency-Key must be 1 to 256 characters.', 'idempotency_key');
    return {
      owner,
      request,
      route: { ...(fallbackModels.length > 0 && { fallbackModels }), ...(route?.strategy && { strategy: route.strategy }) },
      metadata,
      priority,
      ...(webhook && { webhook: { url: webhook.url } }),
      ...(cache !== undefined && { cache: cache === false ? false : { ...cache } }),
      ...this.deadline(timeout_s, expires_at),
      // The body as validated, less the key itself: a repeat may send the key in either place.
      ...(key !== undefined && { idempotency: { key, fingerprint: IdempotencyKeys.fingerprint({ ...dto, idempotency_key: undefined }) } }),
    };
  }

  private deadline(timeoutS: number | undefined, expiresAt: number | undefined): { deadline?: number } {
    if (timeoutS !== undefined && expiresAt !== undefined) throw new InvalidRequestError('Give either timeout_s or expires_at, not both.', 'expires_at');
    if (timeoutS !== undefined) return { deadline: Date.now() + timeoutS * 1000 };
    if (expiresAt === undefined) return {};
    const deadline = expiresAt * 1000;
    if (deadline <= Date.now() || deadline > Date.now() + MAX_JOB_TIMEOUT_S * 1000) {
      throw new InvalidRequestError('expires_at must be a Unix time in seconds, in the future and at most 30 days away.', 'expires_at');
    }
    return { deadline };
  }

  private parseWait(wait: string | undefined): number {
    if (wait === undefined) return 0;
    const max = this.config.server.longPollMaxS;
    if (!/^\d{1,4}$/.test(wait) || Number(wait) > max) {
      throw new InvalidRequestError(`wait must be a whole number of seconds from 0 to ${max}.`, 'wait');
    }
    return Number(wait);
  }
}
