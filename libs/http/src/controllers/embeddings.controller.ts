import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { EmbeddingCallDto, JOB_ID_HEADER, validateBody, type EmbeddingResponse } from '@switchyard/contracts';
import { AwaitCompletion, callCommand } from '@switchyard/jobs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { clientDisconnectSignal } from './client-disconnect';
import { ApiErrors, ApiJsonBody, ApiKeyAuth, OPENAI_REFERENCE } from '../openapi/api-docs.decorators';

/** OpenAI's embeddings, served as a durable job at interactive priority. */
@Controller('v1/embeddings')
@ApiTags('openai')
@ApiKeyAuth()
export class EmbeddingsController {
  constructor(private readonly awaitCompletion: AwaitCompletion) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'OpenAI embeddings', description: `OpenAI's body and answer (${OPENAI_REFERENCE}/embeddings/create), plus Switchyard's routing and deadline fields.` })
  @ApiJsonBody(EmbeddingCallDto)
  @ApiOkResponse({ description: 'An embeddings list.' })
  @ApiErrors(400, 422, 429, 503)
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply): Promise<EmbeddingResponse> {
    const dto = validateBody(EmbeddingCallDto, body);
    const { jobId, result } = await this.awaitCompletion.execute({ ...callCommand(principal.name, 'embedding', dto), signal: clientDisconnectSignal(reply) });
    reply.header(JOB_ID_HEADER, jobId);
    return result as EmbeddingResponse;
  }
}
