import type { EmbeddingRequest, EmbeddingResponse } from '@switchyard/contracts';
import { z } from 'zod';
import { countLongestInput } from '../tokens/token-counter';

export interface BatchEmbedContentsRequest {
  requests: Array<{ model: string; content: { parts: Array<{ text: string }> }; outputDimensionality?: number }>;
}

const batchEmbedResponseSchema = z.object({
  embeddings: z.array(z.object({ values: z.array(z.number()) })),
});

function inputsOf(request: EmbeddingRequest): string[] {
  return typeof request.input === 'string' ? [request.input] : request.input;
}

/** One EmbedContentRequest per input; each names the model resource again, as batchEmbedContents requires. */
export function toBatchEmbedRequest(request: EmbeddingRequest, resource: string): BatchEmbedContentsRequest {
  return {
    requests: inputsOf(request).map((text) => ({
      model: resource,
      content: { parts: [{ text }] },
      ...(request.dimensions !== undefined ? { outputDimensionality: request.dimensions } : {}),
    })),
  };
}

/** OpenAI's base64 encoding: the vector's little-endian float32 bytes. */
function toBase64(values: number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}

/**
 * The batch answer in OpenAI's embeddings shape; null when it is not one embedding per input.
 * Gemini reports no token usage for embeddings, so prompt_tokens is the gateway's own estimate.
 */
export function normalizeBatchEmbeddings(json: unknown, request: EmbeddingRequest, model: string): EmbeddingResponse | null {
  const parsed = batchEmbedResponseSchema.safeParse(json);
  const inputs = inputsOf(request);
  if (!parsed.success || parsed.data.embeddings.length !== inputs.length) return null;
  const tokens = inputs.reduce((sum, text) => sum + countLongestInput(text, model).tokens, 0);
  return {
    object: 'list',
    data: parsed.data.embeddings.map((embedding, index) => ({
      object: 'embedding',
      index,
      embedding: request.encoding_format === 'base64' ? toBase64(embedding.values) : embedding.values,
    })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
