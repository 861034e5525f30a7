import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mockFailure } from '@switchyard/providers';
import { z } from 'zod';
import { behaviourPatchSchema, patchBehaviour, type MockBehaviour } from './behaviour';
import type { RequestLog } from './request-log';
import type { WireLog } from './wire-log';

const listQuerySchema = z.object({
  limit: z.coerce.number().int().positive().optional(),
  request_id: z.string().optional(),
});

export interface ControlDeps {
  log: RequestLog;
  behaviour: () => MockBehaviour;
  setBehaviour: (behaviour: MockBehaviour) => void;
  wire: WireLog;
}

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  const failure = mockFailure(400, { message });
  return reply.code(400).send(failure.body);
}

/** /_control/*: what tests and benchmarks use to watch and steer the mock. Never authenticated. */
export function registerControlRoutes(app: FastifyInstance, deps: ControlDeps): void {
  app.get('/_control/health', async () => ({ status: 'ok' }));

  // Exact method, path, headers and body of recent provider requests, oldest first: for wire tests.
  app.get('/_control/wire', async (request: FastifyRequest, reply: FastifyReply) => {
    const query = listQuerySchema.safeParse(request.query);
    if (!query.success) return badRequest(reply, 'limit must be a positive integer');
    return { object: 'list', data: deps.wire.recent(query.data.limit ?? 50) };
  });
  app.delete('/_control/wire', async (_request: FastifyRequest, reply: FastifyReply) => {
    deps.wire.clear();
    return reply.code(204).send();
  });

  app.get('/_control/requests', async (request: FastifyRequest, reply: FastifyReply) => {
    const query = listQuerySchema.safeParse(request.query);
    if (!query.success) return badRequest(reply, 'limit must be a positive integer');
    const { limit, request_id } = query.data;
    const records = request_id === undefined ? deps.log.list(limit) : deps.log.list().filter((r) => r.request_id === request_id);
    return { object: 'list', data: request_id === undefined || limit === undefined ? records : records.slice(-limit) };
  });

  app.delete('/_control/requests', async (_request: FastifyRequest, reply: FastifyReply) => {
    deps.log.reset();
    return reply.code(204).send();
  });

  app.get('/_control/stats', async () => deps.log.stats());

  app.get('/_control/behaviour', async () => deps.behaviour());

  app.put('/_control/behaviour', async (request: FastifyRequest, reply: FastifyReply) => {
    const patch = behaviourPatchSchema.safeParse(request.body ?? {});
    if (!patch.success) {
      return badRequest(reply, patch.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
    }
    const { for_ms: forMs, ...change } = patch.data;
    const previous = deps.behaviour();
    const next = patchBehaviour(previous, change);
    deps.setBehaviour(next);
    if (forMs !== undefined) setTimeout(() => deps.behaviour() === next && deps.setBehaviour(previous), forMs).unref();
    return next;
  });
}
