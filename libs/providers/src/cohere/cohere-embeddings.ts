import type { EmbeddingRequest, EmbeddingResponse } from '@switchyard/contracts';
import { z } from 'zod';
import type { CohereOptions } from './cohere-options';

/** The body of POST /v2/embed for text. */
export interface CohereEmbedBody {
  model: string;
  texts: string[];
  input_type: CohereOptions['embed_input_type'];
  embedding_types: ['float'];
  output_dimension?: number;
}

const embedResponseSchema = z.object({
  embeddings: z.object({ float: z.array(z.array(z.number())) }),
  meta: z.object({ billed_units: z.object({ input_tokens: z.number().optional() }).nullish() }).nullish(),
});

export function toCohereEmbedBody(request: EmbeddingRequest, model: string, inputType: CohereOptions['embed_input_type']): CohereEmbedBody {
  return {
    model,
    texts: typeof request.input === 'string' ? [request.input] : request.input,
    input_type: inputType,
    // Floats are asked for even when the caller wants base64: that is OpenAI's encoding of the same
    // float32 values, made here, while Cohere's own compact types (int8, binary) are other numbers.
    embedding_types: ['float'],
    ...(request.dimensions !== undefined && { output_dimension: request.dimensions }),
  };
}

function base64Float32(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

/** OpenAI's embeddings list from Cohere's embeddings-by-type body; null when the body is something else. */
export function normalizeCohereEmbeddings(json: unknown, request: EmbeddingRequest, model: string): EmbeddingResponse | null {
  const parsed = embedResponseSchema.safeParse(json);
  if (!parsed.success) return null;
  const tokens = parsed.data.meta?.billed_units?.input_tokens ?? 0;
  return {
    object: 'list',
    data: parsed.data.embeddings.float.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: request.encoding_format === 'base64' ? base64Float32(vector) : vector,
    })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
