import type { FastifyReply } from 'fastify';

/** Aborts when the client goes away before the answer is sent, so a long-poll stops waiting for nobody. */
export function clientDisconnectSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
