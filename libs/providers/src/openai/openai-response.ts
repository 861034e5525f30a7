import type { ChatCompletion, ChatCompletionChoice, FinishReason, ToolCall } from '@switchyard/contracts';
import { z } from 'zod';

const FINISH_REASONS: ReadonlySet<string> = new Set<FinishReason>(['stop', 'length', 'tool_calls', 'content_filter', 'function_call']);

function isFinishReason(value: string | null | undefined): value is FinishReason {
  return value != null && FINISH_REASONS.has(value);
}

/** Lenient where compatible servers differ (missing ids, null usage), strict where a result would be meaningless. */
const toolCallSchema = z.object({
  id: z.string(),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

const choiceSchema = z.object({
  index: z.number().int().optional(),
  message: z
    .object({
      content: z.string().nullish(),
      refusal: z.string().nullish(),
      tool_calls: z.array(toolCallSchema).nullish(),
    })
    .optional(),
  finish_reason: z.string().nullish(),
});

const completionSchema = z.object({
  id: z.string().optional(),
  created: z.number().optional(),
  model: z.string().optional(),
  choices: z.array(choiceSchema),
  usage: z
    .object({
      prompt_tokens: z.number().optional(),
      completion_tokens: z.number().optional(),
      total_tokens: z.number().optional(),
      prompt_tokens_details: z.object({ cached_tokens: z.number().nullish() }).nullish(),
      // DeepSeek reports prompt-cache hits under its own name instead of prompt_tokens_details.
      prompt_cache_hit_tokens: z.number().nullish(),
    })
    .nullish(),
  system_fingerprint: z.string().nullish(),
});

type RawChoice = z.infer<typeof choiceSchema>;

/** Values used only when an OpenAI-compatible server leaves out a required field. */
export interface CompletionFallbacks {
  id: string;
  model: string;
  created: number;
}

function finishReason(choice: RawChoice, toolCalls: ToolCall[] | undefined): FinishReason {
  if (isFinishReason(choice.finish_reason)) return choice.finish_reason;
  // llama.cpp and vLLM sometimes send null or words of their own; the contract has a closed set.
  return toolCalls?.length ? 'tool_calls' : 'stop';
}

function normalizeChoice(choice: RawChoice, position: number): ChatCompletionChoice {
  const toolCalls = choice.message?.tool_calls?.map(
    (call): ToolCall => ({ id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } }),
  );
  return {
    index: choice.index ?? position,
    message: {
      role: 'assistant',
      content: choice.message?.content ?? null,
      refusal: choice.message?.refusal ?? null,
      ...(toolCalls?.length ? { tool_calls: toolCalls } : {}),
    },
    finish_reason: finishReason(choice, toolCalls),
    logprobs: null,
  };
}

/** Our ChatCompletion from a chat-completions body, or undefined when the body is not one. */
export function normalizeChatCompletion(raw: unknown, fallbacks: CompletionFallbacks): ChatCompletion | undefined {
  const parsed = completionSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const body = parsed.data;
  const prompt = body.usage?.prompt_tokens ?? 0;
  const completion = body.usage?.completion_tokens ?? 0;
  const cached = body.usage?.prompt_tokens_details?.cached_tokens ?? body.usage?.prompt_cache_hit_tokens;
  return {
    id: body.id ?? fallbacks.id,
    object: 'chat.completion',
    created: body.created ?? fallbacks.created,
    model: body.model ?? fallbacks.model,
    choices: body.choices.map(normalizeChoice),
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: body.usage?.total_tokens ?? prompt + completion,
      ...(cached != null ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
    },
    ...(body.system_fingerprint !== undefined ? { system_fingerprint: body.system_fingerprint } : {}),
  };
}
