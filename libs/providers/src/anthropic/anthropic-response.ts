import type { ChatCompletion, FinishReason, ToolCall, Usage } from '@switchyard/contracts';
import { z } from 'zod';

const textBlockSchema = z.object({ type: z.literal('text'), text: z.string() });
const toolUseBlockSchema = z.object({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.record(z.string(), z.unknown()) });
// Thinking, server-tool and other block types have no place in a chat completion; they are skipped.
const otherBlockSchema = z.looseObject({ type: z.string() });

export const anthropicUsageSchema = z.object({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
});

export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

const messageSchema = z.object({
  id: z.string().optional(),
  model: z.string().optional(),
  content: z.array(z.union([textBlockSchema, toolUseBlockSchema, otherBlockSchema])),
  stop_reason: z.string().nullish(),
  usage: anthropicUsageSchema.optional(),
});

type RawMessage = z.infer<typeof messageSchema>;
type ToolUseBlock = z.infer<typeof toolUseBlockSchema>;

const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  // Documented as "treat the response as truncated".
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

export interface AnthropicCompletionContext {
  model: string;
  /** Names the completion when the body carries no id. */
  jobId: string;
  created: number;
  /** The forced tool that carried a json_schema answer, if the request had one. */
  structuredOutputTool?: string;
}

function isToolUse(block: RawMessage['content'][number]): block is ToolUseBlock {
  return block.type === 'tool_use' && 'input' in block;
}

/** Null when the message has no text block at all (a bare tool call, an empty refusal). */
function text(content: RawMessage['content']): string | null {
  const texts = content.flatMap((block) => (block.type === 'text' && typeof block.text === 'string' ? [block.text] : []));
  // Anthropic splits one answer into several text blocks (around citations, for one): they are one text.
  return texts.length > 0 ? texts.join('') : null;
}

/** Anthropic's input_tokens leaves out cache reads and writes; OpenAI's prompt_tokens counts every prompt token. */
export function anthropicUsage(raw: AnthropicUsage | undefined): Usage {
  const cacheRead = raw?.cache_read_input_tokens ?? undefined;
  const prompt = (raw?.input_tokens ?? 0) + (raw?.cache_creation_input_tokens ?? 0) + (cacheRead ?? 0);
  const completion = raw?.output_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...(cacheRead !== undefined ? { prompt_tokens_details: { cached_tokens: cacheRead } } : {}),
  };
}

export function anthropicFinishReason(stopReason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  // hasOwn: a provider string must not reach Object.prototype ("constructor").
  const mapped = stopReason && Object.hasOwn(FINISH_REASONS, stopReason) ? FINISH_REASONS[stopReason] : undefined;
  return mapped ?? (hasToolCalls ? 'tool_calls' : 'stop');
}

/** A Messages API `message` as our ChatCompletion, or undefined when the body is not one. */
export function normalizeAnthropicMessage(raw: unknown, ctx: AnthropicCompletionContext): ChatCompletion | undefined {
  const parsed = messageSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const body = parsed.data;
  const toolUses = body.content.filter(isToolUse);
  const answer = ctx.structuredOutputTool === undefined ? undefined : toolUses.find((block) => block.name === ctx.structuredOutputTool);
  let content: string | null;
  let toolCalls: ToolCall[] = [];
  let finish: FinishReason;
  if (answer) {
    // The forced tool's input is the json_schema answer; the caller asked for content, not a tool call.
    content = JSON.stringify(answer.input);
    finish = body.stop_reason === 'tool_use' ? 'stop' : anthropicFinishReason(body.stop_reason, false);
  } else {
    content = text(body.content);
    toolCalls = toolUses.map((block) => ({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input) } }));
    finish = anthropicFinishReason(body.stop_reason, toolCalls.length > 0);
  }
  return {
    id: body.id ?? `msg-${ctx.jobId}`,
    object: 'chat.completion',
    created: ctx.created,
    model: body.model ?? ctx.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
        finish_reason: finish,
        logprobs: null,
      },
    ],
    usage: anthropicUsage(body.usage),
  };
}
