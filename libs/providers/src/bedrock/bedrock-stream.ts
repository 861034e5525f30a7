import type { ChatCompletionChunk, Usage } from '@switchyard/contracts';
import { z } from 'zod';
import type { ProviderHttpClient } from '../http/provider-http-client';
import { ChunkBuilder, type ChunkIdentity } from '../stream/chunk-builder';
import { headerText, type EventStreamMessage } from '../stream/event-stream-messages';
import { classifyBedrockError } from './bedrock-errors';
import { converseFinishReason, converseUsage, converseUsageSchema } from './bedrock-response';

// Bedrock pads every event with a `p` field of random length; loose objects let it (and new fields) pass.
const blockStartSchema = z.looseObject({
  contentBlockIndex: z.number().int(),
  start: z.looseObject({ toolUse: z.looseObject({ toolUseId: z.string(), name: z.string() }).optional() }),
});
const blockDeltaSchema = z.looseObject({
  contentBlockIndex: z.number().int(),
  delta: z.looseObject({ text: z.string().optional(), toolUse: z.looseObject({ input: z.string() }).optional() }),
});
const messageStopSchema = z.looseObject({ stopReason: z.string() });
const metadataSchema = z.looseObject({ usage: converseUsageSchema.optional() });

export interface ConverseStreamSetup {
  http: ProviderHttpClient;
  identity: ChunkIdentity;
}

/** `throttlingException` as the restJson1 name the error table knows, `ThrottlingException`. */
function exceptionName(type: string): string {
  return type.charAt(0).toUpperCase() + type.slice(1);
}

/**
 * ConverseStream's event-stream messages as our chunks: contentBlockDelta text is content, a toolUse
 * block is a tool call (id and name from contentBlockStart, input fragments as arguments), reasoning
 * blocks are skipped. messageStop's stopReason and metadata's usage make the finish and usage chunks
 * once metadata, the last event, arrives. An exception event is classified like the same exception
 * answered as an HTTP error.
 */
export async function* readConverseStream(messages: AsyncIterable<EventStreamMessage>, setup: ConverseStreamSetup): AsyncGenerator<ChatCompletionChunk> {
  const { http } = setup;
  const builder = new ChunkBuilder(setup.identity);
  const tools = new Map<number, number>();
  let stopReason: string | undefined;
  let usage: Usage | undefined;
  let ended = false;
  for await (const message of messages) {
    const text = Buffer.from(message.body).toString('utf8');
    const messageType = headerText(message, ':message-type');
    if (messageType === 'exception') {
      const type = exceptionName(headerText(message, ':exception-type') ?? 'InternalServerException');
      throw http.streamError(text, (answer) => classifyBedrockError({ ...answer, headers: { 'x-amzn-errortype': type } }));
    }
    if (messageType === 'error') {
      const code = headerText(message, ':error-code') ?? 'InternalServerException';
      const body = JSON.stringify({ message: headerText(message, ':error-message') ?? '' });
      throw http.streamError(body, (answer) => classifyBedrockError({ ...answer, headers: { 'x-amzn-errortype': code } }));
    }
    const eventType = headerText(message, ':event-type');
    const json = http.streamJson(text, `${eventType ?? 'stream'} event`);
    const read = <T extends z.ZodType>(schema: T): z.output<T> => {
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw http.streamFailure('bad_response', `sent a ${eventType} event it cannot read`, text);
      return parsed.data;
    };
    switch (eventType) {
      case 'contentBlockStart': {
        const { contentBlockIndex, start } = read(blockStartSchema);
        if (!start.toolUse) break;
        const ordinal = tools.size;
        tools.set(contentBlockIndex, ordinal);
        yield builder.toolCall({ index: ordinal, id: start.toolUse.toolUseId, type: 'function', function: { name: start.toolUse.name, arguments: '' } });
        break;
      }
      case 'contentBlockDelta': {
        const { contentBlockIndex, delta } = read(blockDeltaSchema);
        const ordinal = tools.get(contentBlockIndex);
        if (delta.text) yield builder.content(delta.text);
        else if (delta.toolUse?.input && ordinal !== undefined) yield builder.toolCall({ index: ordinal, function: { arguments: delta.toolUse.input } });
        break;
      }
      case 'messageStop':
        stopReason = read(messageStopSchema).stopReason;
        break;
      case 'metadata': {
        const metadata = read(metadataSchema);
        if (metadata.usage) usage = converseUsage(metadata.usage);
        ended = true;
        break;
      }
    }
    if (ended) break;
  }
  if (!ended || stopReason === undefined) throw http.streamTruncated();
  yield builder.finish(converseFinishReason(stopReason, tools.size > 0));
  if (usage) yield builder.usage(usage);
}
