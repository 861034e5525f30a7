import { newUlid, type ChatCompletion, type ChatCompletionChoice, type FinishReason, type ToolCall, type Usage } from '@switchyard/contracts';
import { z } from 'zod';

const partSchema = z.object({
  text: z.string().optional(),
  /** Thought summaries (only sent when asked for with includeThoughts) are not the answer. */
  thought: z.boolean().optional(),
  functionCall: z
    .object({
      id: z.string().optional(),
      name: z.string(),
      args: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});

const candidateSchema = z.object({
  content: z.object({ parts: z.array(partSchema).optional() }).optional(),
  finishReason: z.string().optional(),
  index: z.number().int().optional(),
});

export const generateContentSchema = z.object({
  candidates: z.array(candidateSchema).optional(),
  promptFeedback: z.object({ blockReason: z.string().optional(), blockReasonMessage: z.string().optional() }).optional(),
  usageMetadata: z
    .object({
      promptTokenCount: z.number().optional(),
      candidatesTokenCount: z.number().optional(),
      thoughtsTokenCount: z.number().optional(),
      cachedContentTokenCount: z.number().optional(),
      totalTokenCount: z.number().optional(),
    })
    .optional(),
  modelVersion: z.string().optional(),
  responseId: z.string().optional(),
});

type RawCandidate = z.infer<typeof candidateSchema>;
type RawUsage = z.infer<typeof generateContentSchema>['usageMetadata'];
export type GeminiCandidate = RawCandidate;

/** Gemini's finish reasons that have an OpenAI counterpart; the output filters all read as content_filter. */
const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
};

export type GeminiReading =
  | { kind: 'completion'; completion: ChatCompletion; /** Finish reasons OpenAI has no word for, reported as `stop`. */ unmappedFinishReasons: string[] }
  | { kind: 'blocked'; blockReason: string; message?: string };

export interface GeminiFallbacks {
  id: string;
  model: string;
  created: number;
}

/** The candidate's functionCall parts as tool calls, each whole (Gemini never splits one). */
export function geminiToolCalls(candidate: RawCandidate): ToolCall[] {
  return (candidate.content?.parts ?? []).flatMap((part) =>
    part.functionCall
      ? [
          {
            // Gemini gives an id only in some modes; OpenAI clients need one to answer the call.
            id: part.functionCall.id ?? `call_${newUlid()}`,
            type: 'function' as const,
            function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
          },
        ]
      : [],
  );
}

export function answerText(candidate: RawCandidate): string | null {
  const texts = (candidate.content?.parts ?? []).flatMap((part) => (part.text !== undefined && part.thought !== true ? [part.text] : []));
  return texts.length > 0 ? texts.join('') : null;
}

export function mappedFinishReason(raw: string | undefined): FinishReason | undefined {
  return raw !== undefined && Object.hasOwn(FINISH_REASONS, raw) ? FINISH_REASONS[raw] : undefined;
}

export function geminiFinishReason(raw: string | undefined, hasCalls: boolean): FinishReason {
  const mapped = mappedFinishReason(raw);
  // Gemini says STOP when it stops to call functions; OpenAI clients look for tool_calls.
  if (hasCalls && (mapped === undefined || mapped === 'stop')) return 'tool_calls';
  return mapped ?? 'stop';
}

function choice(candidate: RawCandidate, position: number): ChatCompletionChoice {
  const calls = geminiToolCalls(candidate);
  return {
    index: candidate.index ?? position,
    message: { role: 'assistant', content: answerText(candidate), refusal: null, ...(calls.length > 0 ? { tool_calls: calls } : {}) },
    finish_reason: geminiFinishReason(candidate.finishReason, calls.length > 0),
    logprobs: null,
  };
}

/** Thinking tokens are billed as output and OpenAI counts its reasoning tokens as completion tokens, so they are added in. */
export function geminiUsage(raw: RawUsage): Usage {
  const prompt = raw?.promptTokenCount ?? 0;
  const completion = (raw?.candidatesTokenCount ?? 0) + (raw?.thoughtsTokenCount ?? 0);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: raw?.totalTokenCount ?? prompt + completion,
    ...(raw?.cachedContentTokenCount !== undefined ? { prompt_tokens_details: { cached_tokens: raw.cachedContentTokenCount } } : {}),
  };
}

/**
 * A generateContent body read as our ChatCompletion, or as a blocked prompt (promptFeedback with a
 * blockReason and no candidates); undefined when it is neither.
 */
export function readGenerateContentResponse(raw: unknown, fallbacks: GeminiFallbacks): GeminiReading | undefined {
  const parsed = generateContentSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const body = parsed.data;
  const candidates = body.candidates ?? [];
  const blockReason = body.promptFeedback?.blockReason;
  if (candidates.length === 0) {
    return blockReason === undefined ? undefined : { kind: 'blocked', blockReason, message: body.promptFeedback?.blockReasonMessage };
  }
  const unmappedFinishReasons = candidates.flatMap((c) => (c.finishReason !== undefined && mappedFinishReason(c.finishReason) === undefined ? [c.finishReason] : []));
  return {
    kind: 'completion',
    completion: {
      id: body.responseId ?? fallbacks.id,
      object: 'chat.completion',
      created: fallbacks.created,
      model: body.modelVersion ?? fallbacks.model,
      choices: candidates.map(choice),
      usage: geminiUsage(body.usageMetadata),
    },
    unmappedFinishReasons: [...new Set(unmappedFinishReasons)],
  };
}
