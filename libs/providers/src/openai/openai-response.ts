import type { ChatCompletion, ChatCompletionChoice, FinishReason, ToolCall, Usage } from '@switchyard/contracts';
import { z } from 'zod';

const FINISH_REASONS: ReadonlySet<string> = new Set<FinishReason>(['stop', 'length', 'tool_calls', 'content_filter', 'function_call']);

function isFinishReason(value: string | null | undefined): value is FinishReason {
  return value != null && FINISH_REASONS.has(value);
}

/** A server's finish reason in the contract's closed set. */
export function openAIFinishReason(raw: string | null | undefined, hasToolCalls: boolean): FinishReason {
  if (isFinishReason(raw)) return raw;
  // llama.cpp and vLLM sometimes send null or words of their own; the contract has a closed set.
  return hasToolCalls ? 'tool_calls' : 'stop';
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

export const usageSchema = z.object({
  prompt_tokens: z.number().optional(),
  completion_tokens: z.number().optional(),
  total_tokens: z.number().optional(),
  prompt_tokens_details: z.object({ cached_tokens: z.number().nullish() }).nullish(),
  // DeepSeek reports prompt-cache hits under its own name instead of prompt_tokens_details.
  prompt_cache_hit_tokens: z.number().nullish(),
});

const completionSchema = z.object({
  id: z.string().optional(),
  created: z.number().optional(),
  model: z.string().optional(),
  choices: z.array(choiceSchema),
  usage: usageSchema.nullish(),
  system_fingerprint: z.string().nullish(),
});

type RawChoice = z.infer<typeof choiceSchema>;

/** Values used only when an OpenAI-compatible server leaves out a required field. */
export interface CompletionFallbacks {
  id: string;
  model: string;
  created: number;
}

/** Missing counts are 0; the total, when missing, is their sum. */
export function normalizeUsage(raw: z.infer<typeof usageSchema> | null | undefined): Usage {
  const prompt = raw?.prompt_tokens ?? 0;
  const completion = raw?.completion_tokens ?? 0;
  const cached = raw?.prompt_tokens_details?.cached_tokens ?? raw?.prompt_cache_hit_tokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: raw?.total_tokens ?? prompt + completion,
    ...(cached != null ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
  };
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
    finish_reason: openAIFinishReason(choice.finish_reason, Boolean(toolCalls?.length)),
    logprobs: null,
  };
}

/** Our ChatCompletion from a chat-completions body, or undefined when the body is not one. */
export function normalizeChatCompletion(raw: unknown, fallbacks: CompletionFallbacks): ChatCompletion | undefined {
  const parsed = completionSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const body = parsed.data;
  return {
    id: body.id ?? fallbacks.id,
    object: 'chat.completion',
    created: body.created ?? fallbacks.created,
    model: body.model ?? fallbacks.model,
    choices: body.choices.map(normalizeChoice),
    usage: normalizeUsage(body.usage),
    ...(body.system_fingerprint ? { system_fingerprint: body.system_fingerprint } : {}),
  };
}
