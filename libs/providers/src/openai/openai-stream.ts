import type { ChatCompletionChunk, ToolCallDelta, Usage } from '@switchyard/contracts';
import { z } from 'zod';
import type { ErrorClassifier, ProviderHttpClient } from '../http/provider-http-client';
import { ChunkBuilder, type ChoicePiece } from '../stream/chunk-builder';
import type { EventSourceMessage } from '../stream/sse-events';
import { normalizeUsage, openAIFinishReason, usageSchema, type CompletionFallbacks } from './openai-response';

/** One `chat.completion.chunk`, lenient where compatible servers differ (missing ids, null fields). */
const toolCallPieceSchema = z.object({
  index: z.number().int().optional(),
  id: z.string().nullish(),
  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

const chunkSchema = z.object({
  id: z.string().optional(),
  created: z.number().optional(),
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        index: z.number().int().optional(),
        delta: z
          .object({ content: z.string().nullish(), refusal: z.string().nullish(), tool_calls: z.array(toolCallPieceSchema).nullish() })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: usageSchema.nullish(),
});

type RawToolCallPiece = z.infer<typeof toolCallPieceSchema>;

export interface OpenAIStreamSetup {
  http: ProviderHttpClient;
  classify: ErrorClassifier;
  fallbacks: CompletionFallbacks;
}

function toolCallDelta(raw: RawToolCallPiece, position: number): ToolCallDelta | undefined {
  const name = raw.function?.name ?? undefined;
  const args = raw.function?.arguments ?? undefined;
  if (!raw.id && !name && !args) return undefined;
  return {
    index: raw.index ?? position,
    ...(raw.id ? { id: raw.id, type: 'function' as const } : {}),
    function: { ...(name ? { name } : {}), ...(args !== undefined ? { arguments: args } : {}) },
  };
}

/** OpenAI's error event: `data: {"error": {...}}` (the official SDKs throw on it), or an SSE event named `error`. */
function isErrorEvent(event: EventSourceMessage, json: unknown): boolean {
  return event.event === 'error' || (typeof json === 'object' && json !== null && 'error' in json);
}

/**
 * OpenAI's `chat.completion.chunk` events as our chunks: empty deltas (the role-only opener, Azure's
 * prompt-filter chunk) are dropped, tool call pieces keep their index, unknown finish reasons are
 * read as generate() reads them, and usage, wherever a server puts it, comes once at the end. The
 * stream is complete at `[DONE]`, or, for servers that leave it out, once every choice finished.
 */
export async function* readOpenAIStream(events: AsyncIterable<EventSourceMessage>, setup: OpenAIStreamSetup): AsyncGenerator<ChatCompletionChunk> {
  const { http } = setup;
  const builder = new ChunkBuilder(setup.fallbacks);
  const seen = new Set<number>();
  const finished = new Set<number>();
  const calling = new Set<number>();
  let identified = false;
  let done = false;
  let usage: Usage | undefined;
  for await (const event of events) {
    if (event.data.trim() === '[DONE]') {
      done = true;
      break;
    }
    const json = http.streamJson(event.data, 'stream event');
    if (isErrorEvent(event, json)) throw http.streamError(event.data, setup.classify);
    const parsed = chunkSchema.safeParse(json);
    if (!parsed.success) throw http.streamFailure('bad_response', 'sent a stream event that is not a chat completion chunk', event.data);
    const chunk = parsed.data;
    if (!identified) {
      identified = true;
      builder.identity = { id: chunk.id ?? setup.fallbacks.id, model: chunk.model ?? setup.fallbacks.model, created: chunk.created ?? setup.fallbacks.created };
    }
    if (chunk.usage) usage = normalizeUsage(chunk.usage);
    const pieces: ChoicePiece[] = [];
    for (const [position, choice] of (chunk.choices ?? []).entries()) {
      const index = choice.index ?? position;
      seen.add(index);
      const toolCalls = (choice.delta?.tool_calls ?? []).flatMap((raw, at) => toolCallDelta(raw, at) ?? []);
      if (toolCalls.length > 0) calling.add(index);
      const content = choice.delta?.content || undefined;
      const refusal = choice.delta?.refusal || undefined;
      const finish = choice.finish_reason == null ? null : openAIFinishReason(choice.finish_reason, calling.has(index));
      if (finish !== null) finished.add(index);
      if (content === undefined && refusal === undefined && toolCalls.length === 0 && finish === null) continue;
      pieces.push({
        index,
        delta: { ...(content !== undefined ? { content } : {}), ...(refusal !== undefined ? { refusal } : {}), ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
        finish_reason: finish,
      });
    }
    if (pieces.length > 0) yield builder.choices(pieces);
  }
  const unfinished = [...seen].filter((index) => !finished.has(index));
  if (!done && (seen.size === 0 || unfinished.length > 0)) throw http.streamTruncated();
  // After [DONE], a choice a server left without a finish reason still gets one, as generate() would give it.
  for (const index of unfinished) yield builder.finish(openAIFinishReason(null, calling.has(index)), index);
  if (seen.size === 0) yield builder.finish('stop');
  if (usage) yield builder.usage(usage);
}
