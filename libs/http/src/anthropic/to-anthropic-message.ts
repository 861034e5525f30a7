import type { ChatCompletion, ToolCall, Usage } from '@switchyard/contracts';
import type { AnthropicMessage, AnthropicResponseBlock, AnthropicToolUseBlock, AnthropicUsage } from './anthropic.types';
import { toStopReason } from './stop-reason';

/** `msg_` and the job's ULID: the answer names the job it came from (also in x-switchyard-job-id). */
export function messageIdOf(jobId: string): string {
  return `msg_${jobId.replace(/^job_/, '')}`;
}

/**
 * Anthropic tool input is an object; a provider that wrote arguments that are not one (rare, and
 * only from models without strict tool calling) gets an empty input rather than a failed answer.
 */
function toolInput(args: string): Record<string, unknown> {
  try {
    const input: unknown = JSON.parse(args);
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) return input as Record<string, unknown>;
  } catch {
    // not JSON: falls through to the empty input
  }
  return {};
}

function toolUse(call: ToolCall): AnthropicToolUseBlock {
  return { type: 'tool_use', id: call.id, name: call.function.name, input: toolInput(call.function.arguments) };
}

/** Chat's prompt_tokens counts cache reads; Anthropic's input_tokens leaves them out and lists them apart. */
export function toAnthropicUsage(usage: Usage): AnthropicUsage {
  const cached = usage.prompt_tokens_details?.cached_tokens;
  return {
    input_tokens: usage.prompt_tokens - (cached ?? 0),
    output_tokens: usage.completion_tokens,
    cache_creation_input_tokens: null,
    cache_read_input_tokens: cached ?? null,
  };
}

/** A chat completion's first choice as an Anthropic `message`: its text, then its tool calls. */
export function toAnthropicMessage(completion: ChatCompletion, id: string): AnthropicMessage {
  const choice = completion.choices[0];
  const text = choice?.message.content ?? choice?.message.refusal ?? '';
  const content: AnthropicResponseBlock[] = [...(text !== '' ? [{ type: 'text' as const, text }] : []), ...(choice?.message.tool_calls ?? []).map(toolUse)];
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: completion.model,
    content,
    stop_reason: choice ? toStopReason(choice.finish_reason) : 'end_turn',
    stop_sequence: null,
    usage: toAnthropicUsage(completion.usage),
  };
}
