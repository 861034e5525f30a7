import type { ChatCompletion, ChatCompletionChoice } from '@switchyard/contracts';
import { mockStreamPieces } from '@switchyard/providers';
import { content, final, other, type FamilyStream, type StreamFrame } from './stream-writer';

/** One SSE event: `data:` lines (and an `event:` line when named), then the blank line. */
export function sseEvent(data: unknown, event?: string): string {
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

/** Tool call arguments cut into short fragments, so that readers must join them as real streams require. */
export function argumentFragments(text: string, size = 8): string[] {
  const fragments: string[] = [];
  for (let at = 0; at < text.length; at += size) fragments.push(text.slice(at, at + size));
  return fragments;
}

/** OpenAI's mid-stream failure: an error object as the data of an event, after which the stream ends without [DONE]. */
const OPENAI_STREAM_ERROR = sseEvent({
  error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null, param: null },
});

/**
 * A finished completion as OpenAI streams it: a role chunk per choice, one chunk per word (a tool
 * call: its id and name, then its arguments in fragments), a finish chunk per choice, the usage
 * chunk (empty choices) when include_usage was asked, then `data: [DONE]`. With include_usage every
 * other chunk carries `usage: null`, as OpenAI's do. `opening` is what a server sends before the
 * chunks (Azure's prompt-filter annotations).
 */
export function openAIStream(completion: ChatCompletion, includeUsage: boolean, opening: StreamFrame[] = []): FamilyStream {
  const base = { id: completion.id, object: 'chat.completion.chunk', created: completion.created, model: completion.model, system_fingerprint: null };
  const usage = includeUsage ? { usage: null } : {};
  const chunk = (choice: ChatCompletionChoice, delta: object, finishReason: string | null = null): string =>
    sseEvent({ ...base, choices: [{ index: choice.index, delta, logprobs: null, finish_reason: finishReason }], ...usage });
  const frames: StreamFrame[] = [...opening];
  for (const choice of completion.choices) {
    frames.push(other(chunk(choice, { role: 'assistant', content: choice.message.tool_calls ? null : '', refusal: null })));
    for (const piece of mockStreamPieces(choice.message.content ?? '')) frames.push(content(chunk(choice, { content: piece })));
    for (const [index, call] of (choice.message.tool_calls ?? []).entries()) {
      frames.push(content(chunk(choice, { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] })));
      for (const fragment of argumentFragments(call.function.arguments)) frames.push(content(chunk(choice, { tool_calls: [{ index, function: { arguments: fragment } }] })));
    }
  }
  for (const choice of completion.choices) frames.push(final(chunk(choice, {}, choice.finish_reason)));
  if (includeUsage) frames.push(final(sseEvent({ ...base, choices: [], usage: completion.usage })));
  frames.push(final('data: [DONE]\n\n'));
  return { contentType: 'text/event-stream; charset=utf-8', frames, error: OPENAI_STREAM_ERROR };
}
