import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { CreateJobDto, InvalidRequestError, type ChatRequest, type JobObject } from '@switchyard/contracts';
import { CancelJob, GetJob, SubmitJob } from '@switchyard/jobs';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { clientDisconnectSignal } from './client-disconnect';

@Controller('v1/jobs')
export class JobsController {
  constructor(
    private readonly submitJob: SubmitJob,
    private readonly getJob: GetJob,
    private readonly cancelJob: CancelJob,
    private readonly config: SwitchyardConfig,
  ) {}

  @Post()
  @HttpCode(202)
  create(@Body() body: CreateJobDto, @CurrentPrincipal() principal: Principal): Promise<JobObject> {
    const { metadata, priority, stream: _stream, ...request } = body;
    // A plain copy: the stored request must not carry DTO class instances or undefined fields.
    const plain = JSON.parse(JSON.stringify(request)) as ChatRequest;
    return this.submitJob.execute({ owner: principal.name, request: plain, metadata, priority });
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

  private parseWait(wait: string | undefined): number {
    if (wait === undefined) return 0;
    const max = this.config.server.longPollMaxS;
    if (!/^\d{1,4}$/.test(wait) || Number(wait) > max) {
      throw new InvalidRequestError(`wait must be a whole number of seconds from 0 to ${max}.`, 'wait');
    }
    return Number(wait);
  }
}
