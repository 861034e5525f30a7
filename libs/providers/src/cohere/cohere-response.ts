import type { ChatCompletion, FinishReason, ToolCall, Usage } from '@switchyard/contracts';
import { z } from 'zod';
import type { ProviderErrorKind } from '../provider-error';

const tokenCountsSchema = z.object({ input_tokens: z.number().optional(), output_tokens: z.number().optional() });

export const cohereUsageSchema = z.object({ billed_units: tokenCountsSchema.nullish(), tokens: tokenCountsSchema.nullish() });

const chatResponseSchema = z.object({
  id: z.string(),
  finish_reason: z.string(),
  message: z.object({
    // Text items, and `thinking` items from reasoning models, which are not part of the answer.
    content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })).nullish(),
    tool_calls: z.array(z.object({ id: z.string(), function: z.object({ name: z.string(), arguments: z.string() }) })).nullish(),
    tool_plan: z.string().nullish(),
  }),
  usage: cohereUsageSchema.nullish(),
});

type CohereChatResponse = z.infer<typeof chatResponseSchema>;

const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  COMPLETE: 'stop',
  STOP_SEQUENCE: 'stop',
  MAX_TOKENS: 'length',
  TOOL_CALL: 'tool_calls',
};

/** Finish reasons that mean the generation failed: a 200 that must not become a result. */
export const FAILED_FINISH: Readonly<Record<string, ProviderErrorKind>> = {
  ERROR: 'server_error',
  TIMEOUT: 'timeout',
};

export type CohereChatReading =
  | { completion: ChatCompletion }
  | { failure: { kind: ProviderErrorKind; finishReason: string } };

function answerText(message: CohereChatResponse['message']): string | null {
  const texts = (message.content ?? []).flatMap((item) => (item.type === 'text' && item.text !== undefined ? [item.text] : []));
  if (texts.length > 0) return texts.join('');
  // A turn that only calls tools carries its words in tool_plan; OpenAI puts them in content.
  return message.tool_plan ?? null;
}

export function cohereFinishReason(raw: string, hasToolCalls: boolean): FinishReason {
  return (Object.hasOwn(FINISH_REASONS, raw) ? FINISH_REASONS[raw] : undefined) ?? (hasToolCalls ? 'tool_calls' : 'stop');
}

/** Billed units are what Cohere charges for; `tokens` also counts its prompt template and is only the fallback. */
export function cohereUsage(raw: z.infer<typeof cohereUsageSchema> | null | undefined): Usage {
  const counted = raw?.billed_units ?? raw?.tokens;
  const prompt = counted?.input_tokens ?? 0;
  const completion = counted?.output_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/**
 * Our ChatCompletion from a Chat v2 body; undefined when the body is not one. Usage counts are
 * Cohere's billed units, what it charges for (and so what cost is priced on); `tokens` also counts
 * the prompt template Cohere adds, and is used only when billed units are missing.
 */
export function readCohereChat(raw: unknown, model: string, created: number): CohereChatReading | undefined {
  const parsed = chatResponseSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const body = parsed.data;
  const failed = Object.hasOwn(FAILED_FINISH, body.finish_reason) ? FAILED_FINISH[body.finish_reason] : undefined;
  if (failed) return { failure: { kind: failed, finishReason: body.finish_reason } };
  const toolCalls = (body.message.tool_calls ?? []).map(
    (call): ToolCall => ({ id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } }),
  );
  return {
    completion: {
      id: body.id,
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: answerText(body.message), refusal: null, ...(toolCalls.length > 0 && { tool_calls: toolCalls }) },
          finish_reason: cohereFinishReason(body.finish_reason, toolCalls.length > 0),
          logprobs: null,
        },
      ],
      usage: cohereUsage(body.usage),
    },
  };
}
