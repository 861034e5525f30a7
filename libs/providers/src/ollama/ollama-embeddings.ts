import type { EmbeddingRequest, EmbeddingResponse } from '@switchyard/contracts';
import { z } from 'zod';
import type { OllamaOptions } from './ollama-options';

/** The body of POST /api/embed. */
export interface OllamaEmbedBody {
  model: string;
  input: string | string[];
  truncate: boolean;
  dimensions?: number;
  keep_alive?: string | number;
}

const embedResponseSchema = z.object({
  embeddings: z.array(z.array(z.number())),
  prompt_eval_count: z.number().optional(),
});

export function toOllamaEmbedBody(request: EmbeddingRequest, model: string, settings: OllamaOptions): OllamaEmbedBody {
  return {
    model,
    input: request.input,
    truncate: settings.embed_truncate,
    ...(request.dimensions !== undefined && { dimensions: request.dimensions }),
    ...(settings.keep_alive !== undefined && { keep_alive: settings.keep_alive }),
  };
}

function base64Float32(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

/** OpenAI's embeddings list from Ollama's; null when the body is something else. */
export function normalizeOllamaEmbeddings(json: unknown, request: EmbeddingRequest, model: string): EmbeddingResponse | null {
  const parsed = embedResponseSchema.safeParse(json);
  if (!parsed.success) return null;
  const tokens = parsed.data.prompt_eval_count ?? 0;
  return {
    object: 'list',
    data: parsed.data.embeddings.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: request.encoding_format === 'base64' ? base64Float32(vector) : vector,
    })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
