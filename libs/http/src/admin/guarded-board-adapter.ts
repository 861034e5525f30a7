import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyPluginCallback } from 'fastify';
import { toHttpError } from '../http-error';
import { ADMIN_CHALLENGE, type AdminAccess } from './admin-access';

/**
 * Bull Board's Fastify adapter with the admin check as an onRequest hook inside the board's own
 * plugin: it covers exactly the board's routes (page, static assets, API), whatever the URL
 * spelling that reached them, and nothing else. The board's routes are plain Fastify routes, so
 * Nest's global ApiKeyGuard never sees them. Returned as a class because @bull-board/nestjs
 * builds the adapter with `new`, with no arguments.
 */
export function guardedBoardAdapter(access: AdminAccess): new () => FastifyAdapter {
  return class GuardedBoardAdapter extends FastifyAdapter {
    override registerPlugin(): FastifyPluginCallback {
      const board = super.registerPlugin();
      return (fastify, options, done) => {
        fastify.addHook('onRequest', async (request, reply) => {
          try {
            await access.admit(request.headers);
          } catch (error) {
            const { status, body, headers } = toHttpError(error);
            return reply
              .status(status)
              .headers(status === 401 ? { ...headers, ...ADMIN_CHALLENGE } : headers)
              .send(body);
          }
        });
        board(fastify, options, done);
      };
    }
  };
}
