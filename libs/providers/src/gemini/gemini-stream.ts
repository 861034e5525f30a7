import { newUlid, type ChatCompletionChunk, type ToolCallDelta, type Usage } from '@switchyard/contracts';
import { clip, type ProviderHttpClient } from '../http/provider-http-client';
import { ChunkBuilder, type ChunkIdentity } from '../stream/chunk-builder';
import type { EventSourceMessage } from '../stream/sse-events';
import { classifyGeminiError } from './gemini-error';
import { answerText, generateContentSchema, geminiFinishReason, geminiUsage, mappedFinishReason } from './gemini-response';

export interface GeminiStreamSetup {
  http: ProviderHttpClient;
  identity: ChunkIdentity;
  warn(message: string): void;
}

function isErrorEvent(json: unknown): boolean {
  const body = Array.isArray(json) ? json[0] : json;
  return typeof body === 'object' && body !== null && 'error' in body;
}

/** Per candidate: how many calls it made (for tool call indexes) and whether it finished. */
interface CandidateState {
  calls: number;
  finish?: string;
}

/**
 * streamGenerateContent's SSE events (each a GenerateContentResponse) as our chunks: text parts are
 * content (thought summaries left out), each functionCall part is a whole tool call, and each
 * candidate's finishReason and the last usageMetadata make the finish and usage chunks. Gemini
 * sends no end marker, so the stream is complete once every candidate it began has finished. A
 * prompt blocked before any candidate is a `content_filter` error, as in generate().
 */
export async function* readGeminiStream(events: AsyncIterable<EventSourceMessage>, setup: GeminiStreamSetup): AsyncGenerator<ChatCompletionChunk> {
  const { http } = setup;
  const builder = new ChunkBuilder(setup.identity);
  const candidates = new Map<number, CandidateState>();
  let identified = false;
  let usage: Usage | undefined;
  for await (const event of events) {
    const json = http.streamJson(event.data, 'stream event');
    if (isErrorEvent(json)) throw http.streamError(event.data, classifyGeminiError);
    const parsed = generateContentSchema.safeParse(json);
    if (!parsed.success) throw http.streamFailure('bad_response', 'sent a stream event that is not a generateContent response', event.data);
    const body = parsed.data;
    const blockReason = body.promptFeedback?.blockReason;
    if (!body.candidates?.length && blockReason !== undefined) {
      const message = body.promptFeedback?.blockReasonMessage;
      throw http.streamFailure('content_filter', `blocked the prompt (${blockReason})${message ? `: ${clip(message)}` : ''}`, event.data);
    }
    if (!identified) {
      identified = true;
      builder.identity = { ...builder.identity, id: body.responseId ?? builder.identity.id, model: body.modelVersion ?? builder.identity.model };
    }
    if (body.usageMetadata) usage = geminiUsage(body.usageMetadata);
    for (const [position, candidate] of (body.candidates ?? []).entries()) {
      const index = candidate.index ?? position;
      const state = candidates.get(index) ?? { calls: 0 };
      candidates.set(index, state);
      const text = answerText(candidate);
      if (text) yield builder.content(text, index);
      for (const part of candidate.content?.parts ?? []) {
        if (!part.functionCall) continue;
        const call: ToolCallDelta = {
          index: state.calls++,
          // Gemini gives an id only in some modes; OpenAI clients need one to answer the call.
          id: part.functionCall.id ?? `call_${newUlid()}`,
          type: 'function',
          function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
        };
        yield builder.toolCall(call, index);
      }
      if (candidate.finishReason !== undefined) state.finish = candidate.finishReason;
    }
  }
  const states = [...candidates.entries()];
  if (states.length === 0 || states.some(([, state]) => state.finish === undefined)) throw http.streamTruncated();
  for (const [index, state] of states) {
    if (mappedFinishReason(state.finish) === undefined) setup.warn(`${http.name} finished with ${state.finish}, which has no OpenAI finish_reason`);
    yield builder.finish(geminiFinishReason(state.finish, state.calls > 0), index);
  }
  if (usage) yield builder.usage(usage);
}
