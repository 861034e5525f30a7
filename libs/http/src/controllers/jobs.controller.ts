import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { CreateEmbeddingJobDto, CreateJobDto, InvalidRequestError, validateBody, type JobObject, type JobRequest } from '@switchyard/contracts';
import { CancelJob, GetJob, RetryJob, SubmitJob, type RouteChoice } from '@switchyard/jobs';
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
    private readonly config: SwitchyardConfig,
  ) {}

  @Post()
  @HttpCode(202)
  create(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<JobObject> {
    return this.submitJob.execute({ owner: principal.name, ...this.parseJobBody(body) });
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

  /** A job that ended without a result goes through routing again. */
  @Post(':id/retry')
  @HttpCode(202)
  retry(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<JobObject> {
    return this.retryJob.execute(id, principal.name);
  }

  /** A chat job unless the body says `"type": "embedding"`; each shape is validated by its own DTO. */
  private parseJobBody(body: unknown): { request: JobRequest; route: RouteChoice; metadata?: Record<string, string>; priority?: number } {
    const isEmbedding = typeof body === 'object' && body !== null && (body as { type?: unknown }).type === 'embedding';
    const dto = isEmbedding ? validateBody(CreateEmbeddingJobDto, body) : validateBody(CreateJobDto, body);
    const { metadata, priority, models, route, ...fields } = dto;
    delete (fields as { stream?: boolean }).stream;
    // A plain copy: the stored request must not carry DTO class instances or undefined fields.
    const request = JSON.parse(JSON.stringify({ ...fields, type: isEmbedding ? 'embedding' : 'chat' })) as JobRequest;
    const fallbackModels = [...(models ?? []), ...(route?.models ?? [])];
    return {
      request,
      route: { ...(fallbackModels.length > 0 && { fallbackModels }), ...(route?.strategy && { strategy: route.strategy }) },
      metadata,
      priority,
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
