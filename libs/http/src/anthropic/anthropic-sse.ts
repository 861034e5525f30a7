import type { AnthropicErrorBody, AnthropicStreamEvent } from './anthropic.types';

/** One Server-Sent Event as Anthropic writes them: the event's type as its name, the event as data. */
export function sseFrame(event: AnthropicStreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Anthropic's stream format for sendEventStream: a failure after the first event can only be an
 * `error` event (the status line has gone), and message_stop ends the stream, with no end marker.
 */
export function anthropicEventFormat(errorBody: (error: unknown) => AnthropicErrorBody): {
  event(item: AnthropicStreamEvent): string;
  error(error: unknown): string;
  end: string;
} {
  return { event: sseFrame, error: (error) => sseFrame(errorBody(error)), end: '' };
}
