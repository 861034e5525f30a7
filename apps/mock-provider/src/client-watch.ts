import type { FastifyReply } from 'fastify';

export interface ClientWatchHandlers {
  onSent(status: number): void;
  onGone(): void;
}

/**
 * Aborts when the client closes the connection before the response is complete, so pending latency
 * timers stop at once and the request is recorded as aborted. `close` on the response fires for both
 * outcomes; writableFinished tells them apart.
 */
export function watchClient(reply: FastifyReply, handlers: ClientWatchHandlers): AbortSignal {
  const controller = new AbortController();
  const res = reply.raw;
  res.once('close', () => {
    if (res.writableFinished) {
      handlers.onSent(res.statusCode);
    } else {
      handlers.onGone();
      controller.abort();
    }
  });
  return controller.signal;
}
