import type { ChatCompletion, ChatCompletionChunk } from '@switchyard/contracts';

/**
 * A whole completion as a stream, for a streaming job answered without a call of its own (a cache
 * hit or a coalesced identical request): per choice one chunk with the message, one with the
 * finish reason, then the usage chunk.
 */
export function completionToChunks(completion: ChatCompletion): ChatCompletionChunk[] {
  const base = { id: completion.id, object: 'chat.completion.chunk' as const, created: completion.created, model: completion.model, ...(completion.system_fingerprint && { system_fingerprint: completion.system_fingerprint }) };
  const chunks: ChatCompletionChunk[] = [];
  for (const choice of completion.choices) {
    const { content, refusal, tool_calls } = choice.message;
    const delta = {
      role: 'assistant' as const,
      content,
      refusal,
      ...(tool_calls && { tool_calls: tool_calls.map((call, index) => ({ index, ...call })) }),
    };
    chunks.push({ ...base, choices: [{ index: choice.index, delta, finish_reason: null, logprobs: null }] });
    chunks.push({ ...base, choices: [{ index: choice.index, delta: {}, finish_reason: choice.finish_reason, logprobs: null }] });
  }
  chunks.push({ ...base, choices: [], usage: completion.usage });
  return chunks;
}
