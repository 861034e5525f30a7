import { Readable } from 'node:stream';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CreateBatchDto, type BatchDryRun, type BatchObject, type CursorPage } from '@switchyard/contracts';
import { BatchResults, CancelBatch, CreateBatch, GetBatch } from '@switchyard/jobs';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, type Principal } from '../auth/principal';

/** OpenAI's Batch API, plus per-line cancel and partial results; a key sees only its own batches. */
@Controller('v1/batches')
export class BatchesController {
  constructor(
    private readonly createBatch: CreateBatch,
    private readonly getBatch: GetBatch,
    private readonly cancelBatch: CancelBatch,
    private readonly batchResults: BatchResults,
  ) {}

  @Post()
  @HttpCode(200)
  create(@Body() body: CreateBatchDto, @CurrentPrincipal() principal: Principal): Promise<BatchObject | BatchDryRun> {
    return this.createBatch.execute(principal.name, body);
  }

  @Get()
  list(@Query('after') after: string | undefined, @Query('limit') limit: string | undefined, @CurrentPrincipal() principal: Principal): Promise<CursorPage<BatchObject>> {
    return this.getBatch.list(principal.name, after, limit);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<BatchObject> {
    return this.getBatch.execute(id, principal.name);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<BatchObject> {
    return this.cancelBatch.execute(id, principal.name);
  }

  @Post(':id/requests/:customId/cancel')
  @HttpCode(200)
  cancelLine(@Param('id') id: string, @Param('customId') customId: string, @CurrentPrincipal() principal: Principal): Promise<BatchObject> {
    return this.cancelBatch.line(id, customId, principal.name);
  }

  /** The lines finished so far as JSONL, in the output and error files' formats, while the batch runs. */
  @Get(':id/results')
  async results(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() reply: FastifyReply): Promise<void> {
    const lines = await this.batchResults.open(id, principal.name);
    await reply.type('application/jsonl').send(Readable.from(lines));
  }
}
