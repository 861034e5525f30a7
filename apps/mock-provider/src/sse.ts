import type { ServerResponse } from 'node:http';
import type { ChatCompletion } from '@switchyard/contracts';

/**
 * Sends a finished completion as OpenAI streams it: a role chunk, one chunk per word, a finish chunk,
 * the usage chunk (empty choices) when include_usage was asked, then `data: [DONE]`. With
 * include_usage every other chunk carries `usage: null`, as OpenAI's do.
 */
export function writeCompletionStream(res: ServerResponse, completion: ChatCompletion, includeUsage: boolean): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  const base = { id: completion.id, object: 'chat.completion.chunk', created: completion.created, model: completion.model, system_fingerprint: null };
  const usage = includeUsage ? { usage: null } : {};
  const send = (payload: object): void => {
    res.write(`data: ${JSON.stringify(payload)}\n\n`);
  };
  const chunk = (index: number, delta: object, finishReason: string | null): void =>
    send({ ...base, choices: [{ index, delta, logprobs: null, finish_reason: finishReason }], ...usage });
  for (const choice of completion.choices) {
    chunk(choice.index, { role: 'assistant', content: '', refusal: null }, null);
    // Leading whitespace stays with its word, so the deltas concatenate back to the exact content.
    for (const piece of choice.message.content?.match(/\s*\S+\s*$|\s*\S+/g) ?? []) chunk(choice.index, { content: piece }, null);
    chunk(choice.index, {}, choice.finish_reason);
  }
  if (includeUsage) send({ ...base, choices: [], usage: completion.usage });
  res.end('data: [DONE]\n\n');
}
