import { Readable } from 'node:stream';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CreateBatchDto, type BatchDryRun, type BatchObject, type CursorPage } from '@switchyard/contracts';
import { BatchResults, CancelBatch, CreateBatch, GetBatch } from '@switchyard/jobs';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { ApiErrors, ApiJsonBody, ApiKeyAuth, OPENAI_REFERENCE } from '../openapi/api-docs.decorators';

/** OpenAI's Batch API, plus per-line cancel and partial results; a key sees only its own batches. */
@Controller('v1/batches')
@ApiTags('openai')
@ApiKeyAuth()
export class BatchesController {
  constructor(
    private readonly createBatch: CreateBatch,
    private readonly getBatch: GetBatch,
    private readonly cancelBatch: CancelBatch,
    private readonly batchResults: BatchResults,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a batch from an uploaded JSONL file', description: `OpenAI's Batch API (${OPENAI_REFERENCE}/batch/create), plus Switchyard's fields.` })
  @ApiJsonBody(CreateBatchDto)
  @ApiOkResponse({ description: 'The batch object, or with dry_run the check of its lines.' })
  @ApiErrors(400, 404, 413, 422, 429)
  create(@Body() body: CreateBatchDto, @CurrentPrincipal() principal: Principal): Promise<BatchObject | BatchDryRun> {
    return this.createBatch.execute(principal.name, body);
  }

  @Get()
  @ApiOperation({ summary: "The key's batches, newest first" })
  @ApiQuery({ name: 'after', required: false })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiOkResponse({ description: 'A cursor page of batch objects.' })
  @ApiErrors(400)
  list(@Query('after') after: string | undefined, @Query('limit') limit: string | undefined, @CurrentPrincipal() principal: Principal): Promise<CursorPage<BatchObject>> {
    return this.getBatch.list(principal.name, after, limit);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One batch with its counts' })
  @ApiOkResponse({ description: 'The batch object.' })
  @ApiErrors(404)
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<BatchObject> {
    return this.getBatch.execute(id, principal.name);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a batch: lines not yet finished end canceled' })
  @ApiOkResponse({ description: 'The batch object.' })
  @ApiErrors(404, 409)
  cancel(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<BatchObject> {
    return this.cancelBatch.execute(id, principal.name);
  }

  @Post(':id/requests/:customId/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel one line of a batch by its custom_id' })
  @ApiOkResponse({ description: 'The batch object.' })
  @ApiErrors(404, 409)
  cancelLine(@Param('id') id: string, @Param('customId') customId: string, @CurrentPrincipal() principal: Principal): Promise<BatchObject> {
    return this.cancelBatch.line(id, customId, principal.name);
  }

  /** The lines finished so far as JSONL, in the output and error files' formats, while the batch runs. */
  @Get(':id/results')
  @ApiOperation({ summary: 'The lines finished so far, as JSONL' })
  @ApiProduces('application/jsonl')
  @ApiOkResponse({ description: 'Output and error lines in the formats of the output and error files.' })
  @ApiErrors(404)
  async results(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() reply: FastifyReply): Promise<void> {
    const lines = await this.batchResults.open(id, principal.name);
    await reply.type('application/jsonl').send(Readable.from(lines));
  }
}
