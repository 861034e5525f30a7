import type { ChatCompletion, ChatCompletionChoice, ChatCompletionChunk, FinishReason, ToolCall, Usage } from '@switchyard/contracts';
import { ProviderError } from '../provider-error';

interface ToolCallDraft {
  id: string;
  name: string;
  arguments: string;
}

interface ChoiceDraft {
  content: string | null;
  refusal: string | null;
  toolCalls: Map<number, ToolCallDraft>;
  finishReason: FinishReason | null;
}

const NO_USAGE: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

function append(text: string | null, piece: string | null | undefined): string | null {
  return piece == null ? text : (text ?? '') + piece;
}

function draftFor(drafts: Map<number, ChoiceDraft>, index: number): ChoiceDraft {
  let draft = drafts.get(index);
  if (!draft) {
    draft = { content: null, refusal: null, toolCalls: new Map(), finishReason: null };
    drafts.set(index, draft);
  }
  return draft;
}

function toChoice(index: number, draft: ChoiceDraft): ChatCompletionChoice {
  const toolCalls = [...draft.toolCalls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, call]): ToolCall => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  return {
    index,
    message: { role: 'assistant', content: draft.content, refusal: draft.refusal, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
    // Adapters end every choice with a finish chunk; the fallback only covers a caller's own chunks.
    finish_reason: draft.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    logprobs: null,
  };
}

/**
 * The ChatCompletion a stream adds up to, in the shape generate() returns: content and refusal
 * pieces joined per choice, tool call fragments joined by their index (id and name from the pieces
 * that carry them), the last finish_reason and the last usage seen. Identity comes from the first
 * chunk. Empty input is a stream that never started, a `bad_response`.
 */
export function collectStream(chunks: Iterable<ChatCompletionChunk>): ChatCompletion {
  const drafts = new Map<number, ChoiceDraft>();
  let first: ChatCompletionChunk | undefined;
  let usage: Usage | undefined;
  for (const chunk of chunks) {
    first ??= chunk;
    if (chunk.usage) usage = chunk.usage;
    for (const { index, delta, finish_reason } of chunk.choices) {
      const draft = draftFor(drafts, index);
      draft.content = append(draft.content, delta.content);
      draft.refusal = append(draft.refusal, delta.refusal);
      for (const piece of delta.tool_calls ?? []) {
        const call = draft.toolCalls.get(piece.index) ?? { id: '', name: '', arguments: '' };
        if (piece.id) call.id = piece.id;
        if (piece.function?.name) call.name = piece.function.name;
        call.arguments += piece.function?.arguments ?? '';
        draft.toolCalls.set(piece.index, call);
      }
      if (finish_reason !== null) draft.finishReason = finish_reason;
    }
  }
  if (!first) throw new ProviderError('bad_response', 'the stream ended before its first chunk');
  return {
    id: first.id,
    object: 'chat.completion',
    created: first.created,
    model: first.model,
    choices: [...drafts.entries()].sort(([a], [b]) => a - b).map(([index, draft]) => toChoice(index, draft)),
    usage: usage ?? NO_USAGE,
    ...(first.system_fingerprint ? { system_fingerprint: first.system_fingerprint } : {}),
  };
}
