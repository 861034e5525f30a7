import type { ChatCompletionChunk } from '@switchyard/contracts';
import { z } from 'zod';
import type { ProviderHttpClient } from '../http/provider-http-client';
import { ChunkBuilder, type ChunkIdentity } from '../stream/chunk-builder';
import { eventType, type EventSourceMessage } from '../stream/sse-events';
import { cohereFinishReason, cohereUsage, cohereUsageSchema, FAILED_FINISH } from './cohere-response';

/** The Chat v2 stream events this reader acts on, named by `type`; citations, debug and new types pass untouched. */
const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message-start'), id: z.string().optional() }),
  z.object({
    type: z.literal('content-delta'),
    // Reasoning models send `thinking` content too; only `text` is the answer.
    delta: z.object({ message: z.object({ content: z.looseObject({ text: z.string().optional() }) }) }),
  }),
  z.object({ type: z.literal('tool-plan-delta'), delta: z.object({ message: z.object({ tool_plan: z.string() }) }) }),
  z.object({
    type: z.literal('tool-call-start'),
    index: z.number().int().optional(),
    delta: z.object({
      message: z.object({
        tool_calls: z.object({ id: z.string(), function: z.object({ name: z.string(), arguments: z.string().nullish() }) }),
      }),
    }),
  }),
  z.object({
    type: z.literal('tool-call-delta'),
    index: z.number().int().optional(),
    delta: z.object({ message: z.object({ tool_calls: z.object({ function: z.object({ arguments: z.string() }) }) }) }),
  }),
  z.object({
    type: z.literal('message-end'),
    delta: z.object({ finish_reason: z.string(), usage: cohereUsageSchema.nullish() }),
  }),
]);

const KNOWN_TYPES: ReadonlySet<string> = new Set(['message-start', 'content-delta', 'tool-plan-delta', 'tool-call-start', 'tool-call-delta', 'message-end']);

export interface CohereStreamSetup {
  http: ProviderHttpClient;
  identity: ChunkIdentity;
}

/**
 * Cohere's Chat v2 stream as our chunks: content-delta text and the tool plan (the words of a
 * tool-calling turn, which generate() also reads as content) are content, tool-call-start/delta a
 * tool call. message-end, the final event, carries the finish reason and usage; a generation that
 * finished with ERROR or TIMEOUT is Cohere's mid-stream failure and throws, as generate() does.
 */
export async function* readCohereStream(events: AsyncIterable<EventSourceMessage>, setup: CohereStreamSetup): AsyncGenerator<ChatCompletionChunk> {
  const { http } = setup;
  const builder = new ChunkBuilder(setup.identity);
  const tools = new Map<number, number>();
  let current: number | undefined;
  for await (const event of events) {
    // Cohere ends with `data: [DONE]` after message-end on some deployments; message-end already ended the reading.
    const json = http.streamJson(event.data, 'stream event');
    const type = eventType(json) ?? event.event;
    if (type === undefined || !KNOWN_TYPES.has(type)) continue;
    const parsed = eventSchema.safeParse(json);
    if (!parsed.success) throw http.streamFailure('bad_response', `sent a ${type} event it cannot read`, event.data);
    const data = parsed.data;
    switch (data.type) {
      case 'message-start':
        if (data.id) builder.identity = { ...builder.identity, id: data.id };
        break;
      case 'content-delta':
        if (data.delta.message.content.text) yield builder.content(data.delta.message.content.text);
        break;
      case 'tool-plan-delta':
        if (data.delta.message.tool_plan) yield builder.content(data.delta.message.tool_plan);
        break;
      case 'tool-call-start': {
        const ordinal = tools.size;
        current = ordinal;
        tools.set(data.index ?? ordinal, ordinal);
        const call = data.delta.message.tool_calls;
        yield builder.toolCall({ index: ordinal, id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments ?? '' } });
        break;
      }
      case 'tool-call-delta': {
        const ordinal = data.index === undefined ? current : tools.get(data.index);
        const args = data.delta.message.tool_calls.function.arguments;
        if (ordinal === undefined) throw http.streamFailure('bad_response', 'sent a tool-call-delta for a call it never started', event.data);
        if (args) yield builder.toolCall({ index: ordinal, function: { arguments: args } });
        break;
      }
      case 'message-end': {
        const { finish_reason: reason, usage } = data.delta;
        const failed = Object.hasOwn(FAILED_FINISH, reason) ? FAILED_FINISH[reason] : undefined;
        if (failed) throw http.streamFailure(failed, `failed mid-stream with finish_reason ${reason}`, event.data);
        yield builder.finish(cohereFinishReason(reason, tools.size > 0));
        yield builder.usage(cohereUsage(usage));
        return;
      }
    }
  }
  throw http.streamTruncated();
}
