import { countTokens as countEncoded, decode, encode } from 'gpt-tokenizer/cjs/encoding/o200k_base';

// A document that quotes `<|endoftext|>` is text like any other: no special tokens, never a throw.
const AS_TEXT = { disallowedSpecial: new Set<string>() };

/** Tokens of `text` in o200k_base, the encoding of current OpenAI models, used for chunks and estimates alike. */
export function countTokens(text: string): number {
  return countEncoded(text, AS_TEXT);
}

export interface TextChunk {
  index: number;
  text: string;
  tokens: number;
}

/**
 * Splits text into windows of at most `size` tokens, each starting `size - overlap` tokens after
 * the one before, so a sentence cut at a boundary is read whole by one of the two chunks.
 * An empty text gives no chunks.
 */
export function chunkByTokens(text: string, size: number, overlap: number): TextChunk[] {
  const tokens = encode(text, AS_TEXT);
  const chunks: TextChunk[] = [];
  const step = size - overlap;
  for (let start = 0; start < tokens.length; start += step) {
    const window = tokens.slice(start, start + size);
    chunks.push({ index: chunks.length, text: decode(window), tokens: window.length });
    if (start + size >= tokens.length) break;
  }
  return chunks;
}
