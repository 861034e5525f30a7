import { newUlid, type ChatCompletion } from '@switchyard/contracts';
import type { MessagesBody } from './anthropic-body';

export type AnthropicMockBlock = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/** A Messages API `message` as the mock writes it. */
export interface AnthropicMockMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicMockBlock[];
  stop_reason: string;
  stop_sequence: string | null;
  usage: { input_tokens: number; output_tokens: number };
}

interface Cut {
  text: string;
  sequence: string | null;
}

function words(text: string): number {
  return text.split(/\s+/).filter((word) => word.length > 0).length;
}

/** The reply up to the earliest stop sequence in it, as Anthropic stops generating there. */
function cutAtStopSequence(text: string, sequences: readonly string[]): Cut {
  let cut: Cut = { text, sequence: null };
  let at = text.length;
  for (const sequence of sequences) {
    const found = sequence === '' ? -1 : text.indexOf(sequence);
    if (found >= 0 && found < at) {
      at = found;
      cut = { text: text.slice(0, found).trimEnd(), sequence };
    }
  }
  return cut;
}

/** The tool a request forces (`tool_choice` of type `tool`, or `any`: the first tool), if it forces one. */
function forcedTool(body: MessagesBody): string | undefined {
  const choice = body.tool_choice;
  if (choice?.type === 'tool') return choice.name;
  if (choice?.type === 'any') return body.tools?.[0]?.name;
  return undefined;
}

function objectOrEmpty(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // not JSON: the tool gets no arguments
  }
  return {};
}

/**
 * mockCompletion's answer as an Anthropic `message`. A request that forces a tool gets a tool_use
 * block whose input is the reply text when that is a JSON object (`#mock{"text":"{...}"}`), so
 * tool calls and forced-tool JSON answers can be tested; stop_sequences cut the reply.
 */
export function anthropicMessage(body: MessagesBody, completion: ChatCompletion): AnthropicMockMessage {
  const reply = completion.choices[0]?.message.content ?? '';
  const truncated = completion.choices[0]?.finish_reason === 'length';
  const tool = forcedTool(body);
  const usage = { input_tokens: completion.usage.prompt_tokens, output_tokens: completion.usage.completion_tokens };
  const base = { id: `msg_mock_${newUlid()}`, type: 'message' as const, role: 'assistant' as const, model: body.model };
  if (tool !== undefined && !truncated) {
    return {
      ...base,
      content: [{ type: 'tool_use', id: `toolu_mock_${newUlid()}`, name: tool, input: objectOrEmpty(reply) }],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage,
    };
  }
  const cut = cutAtStopSequence(reply, body.stop_sequences ?? []);
  const stopReason = cut.sequence !== null ? 'stop_sequence' : truncated ? 'max_tokens' : 'end_turn';
  return {
    ...base,
    content: cut.text === '' ? [] : [{ type: 'text', text: cut.text }],
    stop_reason: stopReason,
    stop_sequence: cut.sequence,
    usage: cut.sequence !== null ? { ...usage, output_tokens: words(cut.text) } : usage,
  };
}
