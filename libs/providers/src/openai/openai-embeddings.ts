import type { EmbeddingResponse } from '@switchyard/contracts';
import { z } from 'zod';

const embeddingsSchema = z.object({
  data: z.array(
    z.object({
      index: z.number().int(),
      embedding: z.union([z.array(z.number()), z.string()]),
    }),
  ),
  model: z.string().optional(),
  usage: z.object({ prompt_tokens: z.number().optional(), total_tokens: z.number().optional() }).optional(),
});

/** OpenAI's embeddings list, checked and normalized; null when the body is something else. */
export function normalizeEmbeddings(json: unknown, model: string): EmbeddingResponse | null {
  const parsed = embeddingsSchema.safeParse(json);
  if (!parsed.success) return null;
  const { data, usage } = parsed.data;
  const promptTokens = usage?.prompt_tokens ?? 0;
  return {
    object: 'list',
    data: data.map((item) => ({ object: 'embedding', index: item.index, embedding: item.embedding })),
    model: parsed.data.model ?? model,
    usage: { prompt_tokens: promptTokens, total_tokens: usage?.total_tokens ?? promptTokens },
  };
}
