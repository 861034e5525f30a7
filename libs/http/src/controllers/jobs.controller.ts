import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { CreateEmbeddingJobDto, CreateJobDto, InvalidRequestError, validateBody, type JobObject, type ListObject } from '@switchyard/contracts';
import { callCommand, CancelJob, GetJob, IdempotencyKeys, RedeliverJobEvent, RetryJob, SubmitJob, type SubmitJobCommand } from '@switchyard/jobs';
import { ListDeliveries, type DeliveryAttempt } from '@switchyard/webhooks';
import { ApiAcceptedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { clientDisconnectSignal } from './client-disconnect';
import { ApiErrors, ApiJsonBody, ApiKeyAuth } from '../openapi/api-docs.decorators';

@Controller('v1/jobs')
@ApiTags('jobs')
@ApiKeyAuth()
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
  @ApiOperation({ summary: 'Submit a chat job, or an embedding job with "type": "embedding"' })
  @ApiJsonBody(CreateJobDto, CreateEmbeddingJobDto)
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A repeat with the same key and body returns the first job (200).' })
  @ApiAcceptedResponse({ description: 'The queued job.' })
  @ApiOkResponse({ description: 'The job first submitted with this Idempotency-Key.' })
  @ApiErrors(400, 409, 413, 422, 429, 503)
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
  @ApiOperation({ summary: 'Get a job; with wait, long-poll until it ends or the time is up' })
  @ApiQuery({ name: 'wait', required: false, type: Number, description: 'Seconds to wait for the job to end (server.long_poll_max_s at most).' })
  @ApiOkResponse({ description: 'The job, with its result once it succeeded.' })
  @ApiErrors(400, 404)
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
  @ApiOperation({ summary: 'Cancel a job that has not ended' })
  @ApiOkResponse({ description: 'The job, canceled.' })
  @ApiErrors(404, 409)
  cancel(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<JobObject> {
    return this.cancelJob.execute(id, principal.name);
  }

  /** Every delivery attempt of the job's webhook events, oldest first. */
  @Get(':id/deliveries')
  @ApiOperation({ summary: "The job's webhook delivery attempts" })
  @ApiOkResponse({ description: 'A list of delivery attempts, oldest first.' })
  @ApiErrors(404)
  async deliveries(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<ListObject<DeliveryAttempt>> {
    await this.getJob.execute({ id, owner: principal.name });
    return { object: 'list', data: await this.listDeliveries.execute(id) };
  }

  /** Sends the job's final event again, now, with a new delivery id. */
  @Post(':id/deliveries/redeliver')
  @HttpCode(202)
  @ApiOperation({ summary: "Send the job's final webhook event again" })
  @ApiAcceptedResponse({ description: 'The new delivery id.' })
  @ApiErrors(404, 409)
  async redeliver(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<{ object: 'delivery'; id: string }> {
    const job = await this.getJob.execute({ id, owner: principal.name });
    return { object: 'delivery', id: await this.redeliverJob.execute(id, job) };
  }

  /** A job that ended without a result goes through routing again. */
  @Post(':id/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Route a job that ended without a result again' })
  @ApiAcceptedResponse({ description: 'The job, queued again.' })
  @ApiErrors(404, 409, 422)
  retry(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<JobObject> {
    return this.retryJob.execute(id, principal.name);
  }

  /** A chat job unless the body says `"type": "embedding"`; each shape is validated by its own DTO. */
  private parseJobBody(body: unknown, owner: string, idempotencyHeader: string | undefined): SubmitJobCommand {
    const isEmbedding = typeof body === 'object' && body !== null && (body as { type?: unknown }).type === 'embedding';
    const dto = isEmbedding ? validateBody(CreateEmbeddingJobDto, body) : validateBody(CreateJobDto, body);
    // IsOptional lets a JSON null through, so a null idempotency_key is no key.
    const key = idempotencyHeader ?? dto.idempotency_key ?? undefined;
    if (key !== undefined && (key.length === 0 || key.length > 256)) throw new InvalidRequestError('Idempotency-Key must be 1 to 256 characters.', 'idempotency_key');
    return {
      ...callCommand(owner, isEmbedding ? 'embedding' : 'chat', dto, ['type', 'stream', 'priority', 'webhook', 'idempotency_key']),
      priority: dto.priority,
      ...(dto.webhook && { webhook: { url: dto.webhook.url } }),
      // The body as validated, less the key itself: a repeat may send the key in either place.
      ...(key !== undefined && { idempotency: { key, fingerprint: IdempotencyKeys.fingerprint({ ...dto, idempotency_key: undefined }) } }),
    };
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
