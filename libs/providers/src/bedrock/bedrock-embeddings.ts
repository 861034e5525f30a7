import type { IncomingHttpHeaders } from 'node:http';
import type { EmbeddingRequest, EmbeddingResponse } from '@switchyard/contracts';
import { z } from 'zod';
import { ProviderError } from '../provider-error';

/** Cohere Embed on Bedrock takes at most 96 texts per call. */
const COHERE_MAX_TEXTS = 96;

export interface EmbeddingBatch {
  vectors: number[][];
  promptTokens: number;
}

/**
 * Bedrock has no common embeddings API: each model family has its own InvokeModel body. A codec
 * turns the inputs into the bodies of the calls to make, in order, and reads each answer back.
 */
export interface EmbeddingCodec {
  bodies(inputs: readonly string[]): unknown[];
  read(json: unknown, headers: IncomingHttpHeaders): EmbeddingBatch | undefined;
}

const titanResponseSchema = z.object({ embedding: z.array(z.number()), inputTextTokenCount: z.number().int().nonnegative().optional() });

/** Titan Text Embeddings v2 embeds one text per call; normalized, as OpenAI's embeddings are. */
function titanV2(dimensions: number | undefined): EmbeddingCodec {
  return {
    bodies: (inputs) => inputs.map((inputText) => ({ inputText, ...(dimensions !== undefined ? { dimensions } : {}), normalize: true })),
    read: (json) => {
      const parsed = titanResponseSchema.safeParse(json);
      return parsed.success ? { vectors: [parsed.data.embedding], promptTokens: parsed.data.inputTextTokenCount ?? 0 } : undefined;
    },
  };
}

const cohereResponseSchema = z.object({
  embeddings: z.union([z.array(z.array(z.number())), z.object({ float: z.array(z.array(z.number())) })]),
});

/** Cohere's body reports no token count; Bedrock puts the billed count in a response header. */
function headerTokens(headers: IncomingHttpHeaders): number {
  const raw = headers['x-amzn-bedrock-input-token-count'];
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isInteger(value) && value >= 0 ? value : 0;
}

function cohere(): EmbeddingCodec {
  return {
    bodies: (inputs) => {
      const bodies: unknown[] = [];
      for (let at = 0; at < inputs.length; at += COHERE_MAX_TEXTS) {
        bodies.push({ texts: inputs.slice(at, at + COHERE_MAX_TEXTS), input_type: 'search_document' });
      }
      return bodies;
    },
    read: (json, headers) => {
      const parsed = cohereResponseSchema.safeParse(json);
      if (!parsed.success) return undefined;
      const { embeddings } = parsed.data;
      return { vectors: Array.isArray(embeddings) ? embeddings : embeddings.float, promptTokens: headerTokens(headers) };
    },
  };
}

/** The codec for a model id, or invalid_request for a model whose embeddings body we do not speak. */
export function embeddingCodec(model: string, request: EmbeddingRequest, provider: string): EmbeddingCodec {
  if (model.startsWith('amazon.titan-embed-text-v2')) return titanV2(request.dimensions);
  if (model.startsWith('cohere.embed')) {
    if (request.dimensions !== undefined) throw new ProviderError('invalid_request', `${provider}: ${model} does not take dimensions`);
    return cohere();
  }
  throw new ProviderError(
    'invalid_request',
    `${provider}: embeddings are supported for amazon.titan-embed-text-v2* and cohere.embed* models, not ${model}`,
  );
}

function encode(vector: number[], format: EmbeddingRequest['encoding_format']): number[] | string {
  return format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
}

/** The batches of all calls, in input order, as one OpenAI embeddings list. */
export function embeddingResponse(batches: readonly EmbeddingBatch[], request: EmbeddingRequest, model: string): EmbeddingResponse {
  const vectors = batches.flatMap((batch) => batch.vectors);
  const promptTokens = batches.reduce((sum, batch) => sum + batch.promptTokens, 0);
  return {
    object: 'list',
    data: vectors.map((vector, index) => ({ object: 'embedding', index, embedding: encode(vector, request.encoding_format) })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}
