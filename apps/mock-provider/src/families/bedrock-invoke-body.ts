import { mockEmbeddings, type MockChatInput } from '@switchyard/providers';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/** Titan Text Embeddings v2: one text per call, 1024 dimensions unless 512 or 256 are asked for. */
const titanBodySchema = z.looseObject({
  inputText: z.string().min(1),
  dimensions: z.union([z.literal(256), z.literal(512), z.literal(1024)]).optional(),
  normalize: z.boolean().optional(),
});

/** Cohere Embed v3 on Bedrock: up to 96 texts, 1024 dimensions. */
const cohereBodySchema = z.looseObject({
  texts: z.array(z.string()).min(1).max(96),
  input_type: z.enum(['search_document', 'search_query', 'classification', 'clustering']),
});

const COHERE_DIMENSIONS = 1024;

export interface InvokeAnswer {
  /** The texts, as messages, so the shared flow finds a directive in them. */
  input: MockChatInput;
  body: object;
  headers: Record<string, string>;
}

export type InvokeReading = { ok: true; answer: InvokeAnswer } | { ok: false; message: string };

function problem(error: z.ZodError): InvokeReading {
  const issue = error.issues[0];
  return { ok: false, message: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'malformed input request'}` };
}

function asMessages(texts: readonly string[]): MockChatInput {
  return { messages: texts.map((text) => ({ role: 'user', content: text })) };
}

/** POST /model/{modelId}/invoke for the embedding models the adapter speaks, answered by mockEmbeddings. */
export function invokeAnswer(modelId: string, raw: unknown): InvokeReading {
  if (modelId.startsWith('amazon.titan-embed-text-v2')) {
    const parsed = titanBodySchema.safeParse(raw);
    if (!parsed.success) return problem(parsed.error);
    const { inputText, dimensions = 1024 } = parsed.data;
    const result = mockEmbeddings({ model: modelId, input: inputText, dimensions }, modelId);
    const embedding = result.data[0].embedding;
    return {
      ok: true,
      answer: {
        input: asMessages([inputText]),
        body: { embedding, inputTextTokenCount: result.usage.prompt_tokens, embeddingsByType: { float: embedding } },
        headers: {},
      },
    };
  }
  if (modelId.startsWith('cohere.embed')) {
    const parsed = cohereBodySchema.safeParse(raw);
    if (!parsed.success) return problem(parsed.error);
    const { texts } = parsed.data;
    const result = mockEmbeddings({ model: modelId, input: texts, dimensions: COHERE_DIMENSIONS }, modelId);
    return {
      ok: true,
      answer: {
        input: asMessages(texts),
        body: { embeddings: result.data.map((item) => item.embedding), id: randomUUID(), response_type: 'embeddings_floats', texts },
        // Cohere's body carries no token count; Bedrock reports the billed count in a header.
        headers: { 'x-amzn-bedrock-input-token-count': String(result.usage.prompt_tokens) },
      },
    };
  }
  return { ok: false, message: 'The provided model identifier is invalid.' };
}
