import { createHash } from 'node:crypto';
import type { EmbeddingRequest, EmbeddingResponse } from '@switchyard/contracts';

const DEFAULT_DIMENSIONS = 8;

/** A unit vector derived from the text's hash: the same text always embeds the same way. */
function vectorOf(text: string, dimensions: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block++) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i + 4 <= digest.length && values.length < dimensions; i += 4) values.push(digest.readInt32LE(i) / 2 ** 31);
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((value) => Math.round((value / norm) * 1e6) / 1e6);
}

function toBase64(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

/** Deterministic embeddings in the OpenAI shape, shared by MockAdapter and apps/mock-provider. */
export function mockEmbeddings(request: EmbeddingRequest, model: string): EmbeddingResponse {
  const inputs = typeof request.input === 'string' ? [request.input] : request.input;
  const dimensions = request.dimensions ?? DEFAULT_DIMENSIONS;
  const tokens = inputs.reduce((sum, text) => sum + Math.max(1, Math.ceil(text.length / 4)), 0);
  return {
    object: 'list',
    data: inputs.map((text, index) => {
      const vector = vectorOf(text, dimensions);
      return { object: 'embedding', index, embedding: request.encoding_format === 'base64' ? toBase64(vector) : vector };
    }),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
