import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/**
 * Reads and drops what is left of a request body once its answer is sent, so the keep-alive
 * connection can carry the next request.
 *
 * Node drains an unread body by itself, but not one a parser started on: an upload refused
 * mid-body (no multipart boundary, a bad JSONL line, a file over the cap) leaves the request
 * unpiped from @fastify/multipart's parser, paused and marked as being consumed. The rest of the
 * body then stays in the socket, and every later request on that connection waits forever.
 */
export function drainUnreadBodies(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, _reply, done) => {
    drain(request.raw);
    done();
  });
}

function drain(raw: IncomingMessage): void {
  if (raw.complete || raw.destroyed) return;
  raw.unpipe();
  raw.resume();
}
