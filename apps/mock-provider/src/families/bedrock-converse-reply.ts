import { newUlid, type ChatCompletion } from '@switchyard/contracts';
import { z } from 'zod';

const jsonObject = z.record(z.string(), z.unknown());

/** The echoed text as a tool's input when it is a JSON object, so tests can choose the arguments. */
function toolInput(text: string): Record<string, unknown> {
  try {
    const parsed = jsonObject.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/**
 * mockCompletion's answer in Converse's response shape. When the request forces a tool, the model
 * "calls" it with the echoed text as input (stopReason tool_use).
 */
export type ConverseMockBlock = { text: string } | { toolUse: { toolUseId: string; name: string; input: Record<string, unknown> } };

/** A Converse response as the mock writes it. */
export interface ConverseMockReply {
  output: { message: { role: 'assistant'; content: ConverseMockBlock[] } };
  stopReason: string;
  usage: { inputTokens: number; outputTokens: number; totalTokens: number };
  metrics: { latencyMs: number };
}

export function converseReply(completion: ChatCompletion, tool: string | undefined, latencyMs: number): ConverseMockReply {
  const choice = completion.choices[0];
  const text = choice.message.content ?? '';
  const content: ConverseMockBlock[] = tool !== undefined ? [{ toolUse: { toolUseId: `tooluse_${newUlid()}`, name: tool, input: toolInput(text) } }] : [{ text }];
  const stopReason = tool !== undefined ? 'tool_use' : choice.finish_reason === 'length' ? 'max_tokens' : 'end_turn';
  const { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: totalTokens } = completion.usage;
  return {
    output: { message: { role: 'assistant' as const, content } },
    stopReason,
    usage: { inputTokens, outputTokens, totalTokens },
    metrics: { latencyMs },
  };
}
