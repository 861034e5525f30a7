import { Body, Controller, HttpCode, Logger, Post, Res } from '@nestjs/common';
import { JOB_ID_HEADER, type ChatCompletion, type EmbeddingResponse } from '@switchyard/contracts';
import { AwaitCompletion, StreamCompletion, type InteractiveCommand } from '@switchyard/jobs';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { toAnthropicError } from '../anthropic/anthropic-error';
import { AnthropicMessagesRequestDto } from '../anthropic/anthropic-messages.dto';
import { anthropicEventFormat } from '../anthropic/anthropic-sse';
import type { AnthropicErrorBody, AnthropicMessage } from '../anthropic/anthropic.types';
import { toChatJobRequest } from '../anthropic/chat-job-request';
import { toAnthropicEvents } from '../anthropic/to-anthropic-events';
import { messageIdOf, toAnthropicMessage } from '../anthropic/to-anthropic-message';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { clientDisconnectSignal } from './client-disconnect';
import { sendEventStream } from './sse-stream';
import { ApiErrors, ApiJsonBody, ApiKeyAuth } from '../openapi/api-docs.decorators';

const isChatCompletion = (result: ChatCompletion | EmbeddingResponse): result is ChatCompletion => result.object === 'chat.completion';

/**
 * `POST /v1/messages`: the Anthropic Messages API over the same interactive chat job as
 * /v1/chat/completions. Its errors come in Anthropic's shape by path (errorAnswer).
 */
@Controller('v1/messages')
@ApiTags('anthropic')
@ApiKeyAuth()
export class MessagesController {
  private readonly logger = new Logger('HttpErrors');

  constructor(
    private readonly awaitCompletion: AwaitCompletion,
    private readonly streamCompletion: StreamCompletion,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Anthropic Messages, sync or streamed', description: "Anthropic's body and answer (https://docs.anthropic.com/en/api/messages); errors in Anthropic's error shape." })
  @ApiJsonBody(AnthropicMessagesRequestDto)
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ description: 'A message, or with stream: true its server-sent events.' })
  @ApiErrors(400, 422, 429, 503)
  async create(
    @Body() body: AnthropicMessagesRequestDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AnthropicMessage | void> {
    // The signal only stops the waiting: the job carries on and stays pollable.
    const command: InteractiveCommand = { owner: principal.name, request: toChatJobRequest(body), signal: clientDisconnectSignal(reply) };
    if (body.stream !== true) {
      const { jobId, result } = await this.awaitCompletion.execute(command);
      if (!isChatCompletion(result)) throw new Error(`job ${jobId} of a chat request ended with a ${result.object} result`);
      void reply.header(JOB_ID_HEADER, jobId);
      return toAnthropicMessage(result, messageIdOf(jobId));
    }
    const { job, chunks } = await this.streamCompletion.execute(command);
    // message_start waits for the first chunk, and sendEventStream for the first event: a job that
    // fails before any token is still a plain HTTP error, which the SDKs turn into their error classes.
    const events = toAnthropicEvents(chunks, { id: messageIdOf(job.id), model: body.model });
    await sendEventStream(reply, events, anthropicEventFormat((error) => this.streamError(error)), { [JOB_ID_HEADER]: job.id });
  }

  private streamError(error: unknown): AnthropicErrorBody {
    const { status, body } = toAnthropicError(error);
    if (status >= 500) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return body;
  }
}
