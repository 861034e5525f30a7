import type { ChatCompletion, FinishReason, ToolCall } from '@switchyard/contracts';
import { z } from 'zod';

const chatResponseSchema = z.object({
  created_at: z.string().optional(),
  message: z.object({
    content: z.string().nullish(),
    tool_calls: z
      .array(
        z.object({
          // Recent Ollama versions give each call an id; older ones give none.
          id: z.string().optional(),
          function: z.object({ name: z.string(), arguments: z.record(z.string(), z.unknown()).nullish() }),
        }),
      )
      .nullish(),
  }),
  done_reason: z.string().nullish(),
  prompt_eval_count: z.number().optional(),
  eval_count: z.number().optional(),
});

/** `load` and `unload` answer empty requests, which the adapter never sends. */
const OLLAMA_FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  length: 'length',
};

export interface OllamaCompletionFallbacks {
  id: string;
  created: number;
}

/** Ollama reports a tool-calling turn with done_reason `stop`, so callers check the calls first. */
export function ollamaFinishReason(doneReason: string | null | undefined): FinishReason {
  const reason = doneReason ?? 'stop';
  return (Object.hasOwn(OLLAMA_FINISH_REASONS, reason) ? OLLAMA_FINISH_REASONS[reason] : undefined) ?? 'stop';
}

export function createdSeconds(createdAt: string | undefined, fallback: number): number {
  const ms = createdAt === undefined ? NaN : Date.parse(createdAt);
  return Number.isNaN(ms) ? fallback : Math.floor(ms / 1000);
}

/**
 * Our ChatCompletion from a /api/chat body; undefined when the body is not one. Ollama reports a
 * tool-calling turn with done_reason `stop`, so the calls themselves decide `tool_calls`; a call
 * without an id gets one from the completion id and its position, unique within the conversation.
 */
export function normalizeOllamaChat(raw: unknown, model: string, fallbacks: OllamaCompletionFallbacks): ChatCompletion | undefined {
  const parsed = chatResponseSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const body = parsed.data;
  const toolCalls = (body.message.tool_calls ?? []).map(
    (call, index): ToolCall => ({
      id: call.id ?? `call_${fallbacks.id}_${index}`,
      type: 'function',
      function: { name: call.function.name, arguments: JSON.stringify(call.function.arguments ?? {}) },
    }),
  );
  const calling = toolCalls.length > 0;
  const text = body.message.content ?? '';
  const prompt = body.prompt_eval_count ?? 0;
  const completion = body.eval_count ?? 0;
  return {
    id: fallbacks.id,
    object: 'chat.completion',
    created: createdSeconds(body.created_at, fallbacks.created),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: calling && text === '' ? null : text, refusal: null, ...(calling && { tool_calls: toolCalls }) },
        finish_reason: calling ? 'tool_calls' : ollamaFinishReason(body.done_reason),
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  };
}
