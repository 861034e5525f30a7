import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ChatCompletionCallDto, JOB_ID_HEADER, validateBody, type ChatCompletion, type ChatCompletionChunk } from '@switchyard/contracts';
import { AwaitCompletion, callCommand, StreamCompletion } from '@switchyard/jobs';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { clientDisconnectSignal } from './client-disconnect';
import { openAIEventFormat, sendEventStream } from './sse-stream';
import { ApiErrors, ApiJsonBody, ApiKeyAuth, OPENAI_REFERENCE } from '../openapi/api-docs.decorators';

/**
 * OpenAI's chat completions, served as a durable job at interactive priority: routing, limits,
 * fallback and retries apply, and the answer can still be polled if the client goes away.
 */
@Controller('v1/chat/completions')
@ApiTags('openai')
@ApiKeyAuth()
export class ChatCompletionsController {
  constructor(
    private readonly awaitCompletion: AwaitCompletion,
    private readonly streamCompletion: StreamCompletion,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'OpenAI chat completions, sync or streamed', description: `OpenAI's body and answer (${OPENAI_REFERENCE}/chat/create), plus Switchyard's routing and deadline fields.` })
  @ApiJsonBody(ChatCompletionCallDto)
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ description: 'A chat.completion, or with stream: true a stream of chat.completion.chunk events. x-switchyard-job-id names the job.' })
  @ApiErrors(400, 422, 429, 503)
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply): Promise<ChatCompletion | void> {
    const dto = validateBody(ChatCompletionCallDto, body);
    const command = { ...callCommand(principal.name, 'chat', dto, ['stream', 'stream_options']), signal: clientDisconnectSignal(reply) };
    if (!dto.stream) {
      const { jobId, result } = await this.awaitCompletion.execute(command);
      reply.header(JOB_ID_HEADER, jobId);
      return result as ChatCompletion;
    }
    const { job, chunks } = await this.streamCompletion.execute(command);
    const includeUsage = dto.stream_options?.include_usage === true;
    await sendEventStream(reply, includeUsage ? withUsageField(chunks) : withoutUsage(chunks), openAIEventFormat<ChatCompletionChunk>(), { [JOB_ID_HEADER]: job.id });
  }
}

/** With include_usage OpenAI sends `usage: null` on every chunk but the last, which has it. */
async function* withUsageField(chunks: AsyncIterable<ChatCompletionChunk>): AsyncGenerator<ChatCompletionChunk> {
  for await (const chunk of chunks) yield { ...chunk, usage: chunk.usage ?? null };
}

/** Without include_usage there is no usage chunk and no usage field. */
async function* withoutUsage(chunks: AsyncIterable<ChatCompletionChunk>): AsyncGenerator<ChatCompletionChunk> {
  for await (const { usage, ...chunk } of chunks) {
    if (chunk.choices.length > 0 || !usage) yield chunk;
  }
}
