import type { FastifyInstance } from 'fastify';

/**
 * Once the server is closing, every answer still to go out closes its connection. Node's close
 * waits for every open connection, and a keep-alive client whose request was in flight at close
 * (an interactive call waiting for its job) would otherwise hold it open for Fastify's 72 s
 * keep-alive timeout after its answer.
 */
export function closeAfterLastAnswer(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
}
