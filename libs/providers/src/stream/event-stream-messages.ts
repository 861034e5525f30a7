import { getChunkedStream } from '@smithy/core/event-streams';
import { EventStreamCodec, type Message } from '@smithy/eventstream-codec';
import { ProviderError } from '../provider-error';

export type { Message as EventStreamMessage } from '@smithy/eventstream-codec';

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
  (text) => Buffer.from(text, 'utf8'),
);

/**
 * The messages of an AWS event stream (application/vnd.amazon.eventstream): Smithy's chunker cuts
 * the bytes into frames by their prelude, its codec checks both CRCs and reads the headers. A
 * frame cut short or failing its checksum is a `bad_response`.
 */
export async function* eventStreamMessages(body: AsyncIterable<Uint8Array>, provider: string): AsyncGenerator<Message> {
  const source = body[Symbol.asyncIterator]();
  const frames = getChunkedStream({ [Symbol.asyncIterator]: () => source })[Symbol.asyncIterator]();
  try {
    for (;;) {
      let message: Message;
      try {
        const next = await frames.next();
        if (next.done) return;
        message = codec.decode(next.value);
      } catch (error) {
        if (error instanceof ProviderError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new ProviderError('bad_response', `${provider} sent an event-stream frame it cannot decode (${reason})`, { cause: error });
      }
      yield message;
    }
  } finally {
    // The chunker never closes its source; a reader that stops early must, so the connection closes.
    await source.return?.();
  }
}

/** A header's value as text, whatever its type on the wire. */
export function headerText(message: Message, name: string): string | undefined {
  const header = message.headers[name];
  return header === undefined ? undefined : String(header.value);
}
