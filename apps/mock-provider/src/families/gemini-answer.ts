import type { ChatCompletion, ChatCompletionChoice } from '@switchyard/contracts';
import type { GenerateContentBody } from './gemini-body';

function words(text: string): number {
  return text.split(/\s+/).filter((word) => word.length > 0).length;
}

/** The reply up to the earliest stop sequence in it: Gemini stops there and leaves the sequence out. */
function cutAtStopSequence(text: string, sequences: readonly string[]): string {
  let at = text.length;
  for (const sequence of sequences) {
    const found = sequence === '' ? -1 : text.indexOf(sequence);
    if (found >= 0 && found < at) at = found;
  }
  return text.slice(0, at);
}

/** The function a request forces (mode ANY: the first allowed name, else the first declaration), if it forces one. */
function forcedFunction(body: GenerateContentBody): string | undefined {
  const config = body.toolConfig?.functionCallingConfig;
  if (config?.mode !== 'ANY') return undefined;
  return config.allowedFunctionNames?.[0] ?? body.tools?.flatMap((tool) => tool.functionDeclarations ?? [])[0]?.name;
}

function objectOrEmpty(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // not JSON: the function gets no arguments
  }
  return {};
}

export type GeminiMockPart = { text: string } | { functionCall: { name: string; args: Record<string, unknown> } };

interface Candidate {
  parts: GeminiMockPart[];
  finishReason: string;
  tokens: number;
}

function candidate(body: GenerateContentBody, choice: ChatCompletionChoice, forced: string | undefined, tokens: number): Candidate {
  const reply = choice.message.content ?? '';
  if (choice.finish_reason === 'length') return { parts: [{ text: reply }], finishReason: 'MAX_TOKENS', tokens };
  // Gemini finishes with STOP when it stops to call a function, as it does at a stop sequence.
  if (forced !== undefined) return { parts: [{ functionCall: { name: forced, args: objectOrEmpty(reply) } }], finishReason: 'STOP', tokens };
  const text = cutAtStopSequence(reply, body.generationConfig?.stopSequences ?? []);
  return { parts: [{ text }], finishReason: 'STOP', tokens: text === reply ? tokens : words(text) };
}

/** A generateContent response as the mock writes it. */
export interface GeminiMockResponse {
  candidates: Array<{ content: { parts: GeminiMockPart[]; role: 'model' }; finishReason: string; index: number }>;
  usageMetadata: { promptTokenCount: number; candidatesTokenCount: number; totalTokenCount: number };
  modelVersion: string;
  responseId: string;
}

/**
 * mockCompletion's answer as a generateContent response. A request that forces a function
 * (functionCallingConfig mode ANY) gets a functionCall part whose args are the reply text when that
 * is a JSON object (`#mock{"text":"{...}"}`), so tool calls can be tested; stopSequences cut the reply.
 */
export function generateContentResponse(body: GenerateContentBody, completion: ChatCompletion): GeminiMockResponse {
  const forced = forcedFunction(body);
  const perChoice = completion.choices.length > 0 ? completion.usage.completion_tokens / completion.choices.length : 0;
  const candidates = completion.choices.map((choice) => ({ index: choice.index, ...candidate(body, choice, forced, perChoice) }));
  const candidatesTokenCount = candidates.reduce((sum, c) => sum + c.tokens, 0);
  return {
    candidates: candidates.map(({ index, parts, finishReason }) => ({ content: { parts, role: 'model' }, finishReason, index })),
    usageMetadata: {
      promptTokenCount: completion.usage.prompt_tokens,
      candidatesTokenCount,
      totalTokenCount: completion.usage.prompt_tokens + candidatesTokenCount,
    },
    modelVersion: completion.model,
    responseId: completion.id.replace(/^chatcmpl-mock-/, ''),
  };
}
