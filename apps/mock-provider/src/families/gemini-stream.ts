import { mockStreamPieces } from '@switchyard/providers';
import { sseEvent } from '../sse';
import { content, final, type FamilyStream, type StreamFrame } from '../stream-writer';
import type { GeminiMockPart, GeminiMockResponse } from './gemini-answer';

/** What Gemini sends when it fails after it began streaming: a google.rpc.Status as the data of an event. */
const INTERNAL = sseEvent({
  error: { code: 500, message: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting', status: 'INTERNAL' },
});

/** Gemini's SSE events end in CRLF pairs; readers must take them as they take LF. */
const crlf = (event: string): string => event.replace(/\n/g, '\r\n');

/**
 * A generateContent response as streamGenerateContent?alt=sse sends it: one response per text
 * piece or function call (functionCalls come whole), then one per candidate with its finishReason,
 * the last carrying the usageMetadata. Gemini sends no end marker: the stream just ends.
 */
export function geminiStream(response: GeminiMockResponse): FamilyStream {
  const { modelVersion, responseId } = response;
  const chunk = (index: number, parts: GeminiMockPart[]): string => crlf(sseEvent({ candidates: [{ content: { parts, role: 'model' }, index }], modelVersion, responseId }));
  const frames: StreamFrame[] = [];
  for (const candidate of response.candidates) {
    for (const part of candidate.content.parts) {
      if ('text' in part) for (const text of mockStreamPieces(part.text)) frames.push(content(chunk(candidate.index, [{ text }])));
      else frames.push(content(chunk(candidate.index, [part])));
    }
  }
  response.candidates.forEach((candidate, position) => {
    const usage = position === response.candidates.length - 1 ? { usageMetadata: response.usageMetadata } : {};
    frames.push(final(crlf(sseEvent({ candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: candidate.finishReason, index: candidate.index }], ...usage, modelVersion, responseId }))));
  });
  return { contentType: 'text/event-stream', frames, error: crlf(INTERNAL) };
}

/** A blocked prompt, streamed: the one response carrying promptFeedback, then the end. */
export function blockedStream(body: unknown): FamilyStream {
  return { contentType: 'text/event-stream', frames: [final(crlf(sseEvent(body)))] };
}
