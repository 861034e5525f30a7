import type { ChatCompletionChunk, ChatCompletionChunkChoice, ChatCompletionChunkDelta, FinishReason, ToolCallDelta, Usage } from '@switchyard/contracts';

/** What every chunk of one stream repeats; families fill it from the provider's first event when it has one. */
export interface ChunkIdentity {
  id: string;
  model: string;
  created: number;
}

export interface ChoicePiece {
  index: number;
  delta: ChatCompletionChunkDelta;
  finish_reason: FinishReason | null;
}

/**
 * Writes one stream's ChatCompletionChunks. `role: 'assistant'` rides on each choice's first
 * piece, whatever that piece is, so no chunk is ever sent for the role alone: the first chunk a
 * stream yields always carries the first token (or the finish), which is what a caller deciding
 * whether it may still fall back needs to count.
 */
export class ChunkBuilder {
  private readonly opened = new Set<number>();

  constructor(public identity: ChunkIdentity) {}

  content(text: string, index = 0): ChatCompletionChunk {
    return this.choices([{ index, delta: { content: text }, finish_reason: null }]);
  }

  toolCall(call: ToolCallDelta, index = 0): ChatCompletionChunk {
    return this.choices([{ index, delta: { tool_calls: [call] }, finish_reason: null }]);
  }

  finish(reason: FinishReason, index = 0): ChatCompletionChunk {
    return this.choices([{ index, delta: {}, finish_reason: reason }]);
  }

  usage(usage: Usage): ChatCompletionChunk {
    return { ...this.base(), choices: [], usage };
  }

  choices(pieces: readonly ChoicePiece[]): ChatCompletionChunk {
    return { ...this.base(), choices: pieces.map((piece) => this.choice(piece)) };
  }

  private choice({ index, delta, finish_reason }: ChoicePiece): ChatCompletionChunkChoice {
    const first = !this.opened.has(index);
    this.opened.add(index);
    return { index, delta: first ? { role: 'assistant', ...delta } : delta, finish_reason, logprobs: null };
  }

  private base(): Omit<ChatCompletionChunk, 'choices'> {
    return { id: this.identity.id, object: 'chat.completion.chunk', created: this.identity.created, model: this.identity.model };
  }
}
