import type { MockChatInput, MockMessage } from '@switchyard/providers';
import { z } from 'zod';

/** Only what the mock reads is checked; inlineData, fileData, responseJsonSchema and the rest are accepted and ignored. */
const partSchema = z.looseObject({
  text: z.string().optional(),
  functionResponse: z.looseObject({ name: z.string() }).optional(),
});

const contentSchema = z.looseObject({
  role: z.enum(['user', 'model']).optional(),
  parts: z.array(partSchema).min(1),
});

export const generateContentBodySchema = z.looseObject({
  contents: z.array(contentSchema).min(1),
  systemInstruction: z.looseObject({ parts: z.array(partSchema) }).optional(),
  tools: z.array(z.looseObject({ functionDeclarations: z.array(z.looseObject({ name: z.string() })).optional() })).optional(),
  toolConfig: z
    .looseObject({
      functionCallingConfig: z
        .looseObject({ mode: z.string().optional(), allowedFunctionNames: z.array(z.string()).optional() })
        .optional(),
    })
    .optional(),
  generationConfig: z
    .looseObject({
      maxOutputTokens: z.number().int().positive().optional(),
      candidateCount: z.number().int().min(1).optional(),
      stopSequences: z.array(z.string()).optional(),
    })
    .optional(),
});

export const batchEmbedBodySchema = z.looseObject({
  requests: z
    .array(
      z.looseObject({
        model: z.string(),
        content: z.looseObject({ parts: z.array(partSchema).min(1) }),
        outputDimensionality: z.number().int().positive().optional(),
      }),
    )
    .min(1),
});

export type GenerateContentBody = z.infer<typeof generateContentBodySchema>;
export type BatchEmbedBody = z.infer<typeof batchEmbedBodySchema>;
type Part = z.infer<typeof partSchema>;
type Content = z.infer<typeof contentSchema>;

export function partsText(parts: readonly Part[]): string {
  return parts.flatMap((part) => (part.text === undefined ? [] : [part.text])).join('\n');
}

/**
 * A user turn of nothing but function results is a tool message to the mock, so that the echo
 * answers the last thing the user actually wrote.
 */
function mockMessage(content: Content): MockMessage {
  const onlyResults = content.parts.every((part) => part.functionResponse !== undefined);
  const role = content.role === 'model' ? 'assistant' : onlyResults ? 'tool' : 'user';
  return { role, content: partsText(content.parts) };
}

/** A generateContent body as the input mockCompletion reads. */
export function mockChatInput(body: GenerateContentBody): MockChatInput {
  const system: MockMessage[] = body.systemInstruction ? [{ role: 'system', content: partsText(body.systemInstruction.parts) }] : [];
  return {
    messages: [...system, ...body.contents.map(mockMessage)],
    max_tokens: body.generationConfig?.maxOutputTokens,
    n: body.generationConfig?.candidateCount,
  };
}
