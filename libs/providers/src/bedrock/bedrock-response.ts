import type { ChatCompletion, FinishReason, ToolCall, Usage } from '@switchyard/contracts';
import { z } from 'zod';

/** Converse's stop reasons in OpenAI's closed set. */
const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

const tokenCount = z.number().int().nonnegative();

/** Blocks other than text and toolUse (reasoningContent, image, ...) pass the check and are not mapped. */
const contentBlockSchema = z.looseObject({
  text: z.string().optional(),
  toolUse: z.object({ toolUseId: z.string(), name: z.string(), input: z.unknown() }).optional(),
});

export const converseUsageSchema = z.object({
  inputTokens: tokenCount.optional(),
  outputTokens: tokenCount.optional(),
  totalTokens: tokenCount.optional(),
  cacheReadInputTokens: tokenCount.optional(),
  cacheWriteInputTokens: tokenCount.optional(),
});

const converseResponseSchema = z.object({
  output: z.object({
    message: z.object({ role: z.literal('assistant'), content: z.array(contentBlockSchema) }),
  }),
  stopReason: z.string(),
  usage: converseUsageSchema.optional(),
});

type ConverseUsage = z.infer<typeof converseUsageSchema>;

export interface ConverseIdentity {
  id: string;
  model: string;
  created: number;
}

/**
 * Bedrock counts cache reads and writes apart from `inputTokens`; OpenAI's prompt_tokens counts every
 * prompt token, with the cache hits as a subset in `cached_tokens`.
 */
export function converseUsage(raw: ConverseUsage | undefined): Usage {
  const cacheRead = raw?.cacheReadInputTokens ?? 0;
  const prompt = (raw?.inputTokens ?? 0) + cacheRead + (raw?.cacheWriteInputTokens ?? 0);
  const completion = raw?.outputTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: raw?.totalTokens ?? prompt + completion,
    ...(raw?.cacheReadInputTokens !== undefined ? { prompt_tokens_details: { cached_tokens: cacheRead } } : {}),
  };
}

export function converseFinishReason(stopReason: string, hasToolCalls: boolean): FinishReason {
  return (Object.hasOwn(FINISH_REASONS, stopReason) ? FINISH_REASONS[stopReason] : undefined) ?? (hasToolCalls ? 'tool_calls' : 'stop');
}

/** Our ChatCompletion from a Converse response body, or undefined when the body is not one. */
export function normalizeConverseResponse(raw: unknown, identity: ConverseIdentity): ChatCompletion | undefined {
  const parsed = converseResponseSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const { output, stopReason } = parsed.data;
  const texts = output.message.content.flatMap((block) => (block.text !== undefined ? [block.text] : []));
  const toolCalls = output.message.content.flatMap((block): ToolCall[] =>
    block.toolUse
      ? [{ id: block.toolUse.toolUseId, type: 'function', function: { name: block.toolUse.name, arguments: JSON.stringify(block.toolUse.input ?? {}) } }]
      : [],
  );
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: texts.length > 0 ? texts.join('') : null,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: converseFinishReason(stopReason, toolCalls.length > 0),
        logprobs: null,
      },
    ],
    usage: converseUsage(parsed.data.usage),
  };
}
