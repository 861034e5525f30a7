import type { ChatCompletionChunk } from '@switchyard/contracts';
import { z } from 'zod';
import type { ProviderHttpClient } from '../http/provider-http-client';
import { ChunkBuilder, type ChunkIdentity } from '../stream/chunk-builder';
import { classifyOllamaError } from './ollama-error';
import { createdSeconds, ollamaFinishReason } from './ollama-response';

const lineSchema = z.object({
  created_at: z.string().optional(),
  message: z
    .object({
      content: z.string().nullish(),
      tool_calls: z
        .array(z.object({ id: z.string().optional(), function: z.object({ name: z.string(), arguments: z.record(z.string(), z.unknown()).nullish() }) }))
        .nullish(),
    })
    .nullish(),
  done: z.boolean(),
  done_reason: z.string().nullish(),
  prompt_eval_count: z.number().optional(),
  eval_count: z.number().optional(),
});

export interface OllamaStreamSetup {
  http: ProviderHttpClient;
  identity: ChunkIdentity;
}

function isErrorLine(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'error' in json;
}

/**
 * /api/chat's NDJSON stream as our chunks: each line's message content is content, tool calls come
 * whole (Ollama never splits one), and the `done: true` line, the last, carries done_reason and the
 * token counts. An `{"error": ...}` line is Ollama failing after it began answering.
 */
export async function* readOllamaStream(lines: AsyncIterable<string>, setup: OllamaStreamSetup): AsyncGenerator<ChatCompletionChunk> {
  const { http } = setup;
  const builder = new ChunkBuilder(setup.identity);
  let calls = 0;
  let first = true;
  for await (const line of lines) {
    const json = http.streamJson(line, 'stream line');
    if (isErrorLine(json)) throw http.streamError(line, classifyOllamaError);
    const parsed = lineSchema.safeParse(json);
    if (!parsed.success) throw http.streamFailure('bad_response', 'sent a stream line that is not a chat response', line);
    const { message, done } = parsed.data;
    if (first) {
      first = false;
      builder.identity = { ...builder.identity, created: createdSeconds(parsed.data.created_at, builder.identity.created) };
    }
    if (message?.content) yield builder.content(message.content);
    for (const call of message?.tool_calls ?? []) {
      const index = calls++;
      yield builder.toolCall({
        index,
        // A call without an id gets one from the completion id and its position, as generate() gives it.
        id: call.id ?? `call_${builder.identity.id}_${index}`,
        type: 'function',
        function: { name: call.function.name, arguments: JSON.stringify(call.function.arguments ?? {}) },
      });
    }
    if (!done) continue;
    const prompt = parsed.data.prompt_eval_count ?? 0;
    const completion = parsed.data.eval_count ?? 0;
    yield builder.finish(calls > 0 ? 'tool_calls' : ollamaFinishReason(parsed.data.done_reason));
    yield builder.usage({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });
    return;
  }
  throw http.streamTruncated();
}
