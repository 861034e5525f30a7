import type { ChatCompletionChunk } from '@switchyard/contracts';
import { z } from 'zod';
import type { ProviderHttpClient } from '../http/provider-http-client';
import { ChunkBuilder, type ChunkIdentity } from '../stream/chunk-builder';
import { eventType, type EventSourceMessage } from '../stream/sse-events';
import { classifyAnthropicError } from './anthropic-error';
import { anthropicFinishReason, anthropicUsage, anthropicUsageSchema, type AnthropicUsage } from './anthropic-response';

/** The Messages API stream events this reader acts on; ping, content_block_stop and new types pass untouched. */
const eventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message_start'),
    message: z.object({ id: z.string().optional(), model: z.string().optional(), usage: anthropicUsageSchema.optional() }),
  }),
  z.object({
    type: z.literal('content_block_start'),
    index: z.number().int(),
    content_block: z.looseObject({ type: z.string(), text: z.string().optional(), id: z.string().optional(), name: z.string().optional() }),
  }),
  z.object({
    type: z.literal('content_block_delta'),
    index: z.number().int(),
    delta: z.looseObject({ type: z.string(), text: z.string().optional(), partial_json: z.string().optional() }),
  }),
  z.object({
    type: z.literal('message_delta'),
    delta: z.object({ stop_reason: z.string().nullish() }),
    usage: anthropicUsageSchema.nullish(),
  }),
  z.object({ type: z.literal('message_stop') }),
  z.object({ type: z.literal('error') }),
]);

const KNOWN_TYPES: ReadonlySet<string> = new Set(['message_start', 'content_block_start', 'content_block_delta', 'message_delta', 'message_stop', 'error']);

/** What a content block is to the chat completion: text, the nth tool call, the json_schema answer, or nothing. */
type BlockRole = { kind: 'text' } | { kind: 'tool'; ordinal: number } | { kind: 'answer' } | { kind: 'skip' };

export interface AnthropicStreamSetup {
  http: ProviderHttpClient;
  identity: ChunkIdentity;
  /** The forced tool that carries a json_schema answer: its input streams as the content. */
  structuredOutputTool?: string;
}

/**
 * Anthropic's Messages stream as our chunks: text_delta is content, a tool_use block is a tool call
 * (id and name when it starts, input_json_delta fragments as arguments), thinking and other blocks
 * are skipped. message_delta's stop_reason and the usage of message_start and message_delta (whose
 * counts are cumulative) make the finish and usage chunks once message_stop ends the stream.
 */
export async function* readAnthropicStream(events: AsyncIterable<EventSourceMessage>, setup: AnthropicStreamSetup): AsyncGenerator<ChatCompletionChunk> {
  const { http } = setup;
  const builder = new ChunkBuilder(setup.identity);
  const blocks = new Map<number, BlockRole>();
  let tools = 0;
  let usage: AnthropicUsage = {};
  let stopReason: string | null | undefined;
  let stopped = false;
  for await (const event of events) {
    const json = http.streamJson(event.data, 'stream event');
    const type = eventType(json);
    if (type === 'error' || event.event === 'error') throw http.streamError(event.data, classifyAnthropicError);
    if (type === undefined || !KNOWN_TYPES.has(type)) continue;
    const parsed = eventSchema.safeParse(json);
    if (!parsed.success) throw http.streamFailure('bad_response', `sent a ${type} event it cannot read`, event.data);
    const data = parsed.data;
    switch (data.type) {
      case 'message_start':
        builder.identity = { ...builder.identity, id: data.message.id ?? builder.identity.id, model: data.message.model ?? builder.identity.model };
        usage = { ...usage, ...data.message.usage };
        break;
      case 'content_block_start': {
        const block = data.content_block;
        if (block.type === 'text') {
          blocks.set(data.index, { kind: 'text' });
          if (block.text) yield builder.content(block.text);
        } else if (block.type === 'tool_use' && block.name !== undefined && block.name === setup.structuredOutputTool) {
          blocks.set(data.index, { kind: 'answer' });
        } else if (block.type === 'tool_use' && block.id !== undefined && block.name !== undefined) {
          const ordinal = tools++;
          blocks.set(data.index, { kind: 'tool', ordinal });
          yield builder.toolCall({ index: ordinal, id: block.id, type: 'function', function: { name: block.name, arguments: '' } });
        } else {
          blocks.set(data.index, { kind: 'skip' });
        }
        break;
      }
      case 'content_block_delta': {
        const role = blocks.get(data.index);
        const { delta } = data;
        if (role?.kind === 'text' && delta.type === 'text_delta' && delta.text) yield builder.content(delta.text);
        else if (role?.kind === 'answer' && delta.type === 'input_json_delta' && delta.partial_json) yield builder.content(delta.partial_json);
        else if (role?.kind === 'tool' && delta.type === 'input_json_delta' && delta.partial_json) {
          yield builder.toolCall({ index: role.ordinal, function: { arguments: delta.partial_json } });
        }
        break;
      }
      case 'message_delta':
        stopReason = data.delta.stop_reason ?? stopReason;
        usage = { ...usage, ...Object.fromEntries(Object.entries(data.usage ?? {}).filter(([, value]) => value != null)) };
        break;
      case 'message_stop':
        stopped = true;
        break;
    }
    if (stopped) break;
  }
  if (!stopped) throw http.streamTruncated();
  const answered = [...blocks.values()].some((role) => role.kind === 'answer');
  // The forced json_schema tool ends on tool_use; to the caller it is a plain answer.
  yield builder.finish(answered && stopReason === 'tool_use' ? 'stop' : anthropicFinishReason(stopReason, tools > 0));
  yield builder.usage(anthropicUsage(usage));
}
