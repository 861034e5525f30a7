import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ProviderError } from '../provider-error';

export type { EventSourceMessage } from 'eventsource-parser';

/** No provider event comes near this; past it the stream is garbage, not a slow answer. */
const MAX_EVENT_CHARS = 8 * 1024 * 1024;

/**
 * The Server-Sent Events in a byte stream, parsed by eventsource-parser (which handles CRLF, events
 * split across reads, comments and multi-line data).
 */
export async function* sseEvents(body: AsyncIterable<Uint8Array>, provider: string): AsyncGenerator<EventSourceMessage> {
  const pending: EventSourceMessage[] = [];
  let oversized = false;
  const parser = createParser({
    onEvent: (event) => pending.push(event),
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') oversized = true;
    },
    maxBufferSize: MAX_EVENT_CHARS,
  });
  const decoder = new TextDecoder();
  for await (const bytes of body) {
    if (!oversized) parser.feed(decoder.decode(bytes, { stream: true }));
    if (oversized) throw new ProviderError('bad_response', `${provider} sent a stream event over ${MAX_EVENT_CHARS} characters`);
    yield* pending.splice(0);
  }
  // Some servers end on a single newline: the last event is still read. One cut mid-line then
  // fails as JSON, which its reader reports as bad_response.
  parser.feed(`${decoder.decode()}\n\n`);
  yield* pending.splice(0);
}

/** The `type` field that names most providers' stream events (Anthropic, Cohere). */
export function eventType(json: unknown): string | undefined {
  return typeof json === 'object' && json !== null && 'type' in json && typeof json.type === 'string' ? json.type : undefined;
}
