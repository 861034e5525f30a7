import type { FastifyReply } from 'fastify';
import { toHttpError } from '../http-error';

/**
 * Streams Server-Sent Events once the first event exists. Everything that fails before it
 * (validation, routing, every target failing before a token) still gets a normal HTTP error;
 * after it, the error travels as a last event in the body, the way OpenAI sends one.
 */
export async function sendEventStream<T>(
  reply: FastifyReply,
  events: AsyncIterable<T>,
  format: { event(item: T): string; error(error: unknown): string; end: string },
  headers: Readonly<Record<string, string>> = {},
): Promise<void> {
  const iterator = events[Symbol.asyncIterator]();
  const first = await iterator.next();
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no', ...headers });
  try {
    for (let next = first; !next.done; next = await iterator.next()) {
      if (raw.destroyed) break;
      raw.write(format.event(next.value));
    }
    if (!raw.destroyed) raw.write(format.end);
  } catch (error) {
    if (!raw.destroyed) raw.write(format.error(error));
  } finally {
    await iterator.return?.();
    raw.end();
  }
}

/** OpenAI's wire form: `data: <json>` events, an error as `data: {"error": ...}`, then `[DONE]`. */
export function openAIEventFormat<T>(): { event(item: T): string; error(error: unknown): string; end: string } {
  return {
    event: (item) => `data: ${JSON.stringify(item)}\n\n`,
    error: (error) => `data: ${JSON.stringify(toHttpError(error).body)}\n\n`,
    end: 'data: [DONE]\n\n',
  };
}
