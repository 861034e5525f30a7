import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mockCompletion } from '@switchyard/providers';
import { firstHeader, runMockCall, sendFailure, type FamilyRouteDeps } from '../mock-call';
import { messagesBodySchema, mockInputOf } from './anthropic-body';
import { anthropicFailure } from './anthropic-failure';
import { anthropicMessage } from './anthropic-message';

/** POST /v1/messages: the Anthropic Messages API, answered by the shared mockCompletion. */
export function registerAnthropicRoutes(app: FastifyInstance, deps: FamilyRouteDeps): void {
  app.post('/v1/messages', async (request: FastifyRequest, reply: FastifyReply) => {
    const parsed = messagesBodySchema.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || 'body';
      return sendFailure(reply, anthropicFailure(400, { message: `${where}: ${issue?.message ?? 'expected a JSON object'}` }, ''));
    }
    const body = parsed.data;
    if (!firstHeader(request.headers['anthropic-version'])) {
      return sendFailure(reply, anthropicFailure(400, { message: 'anthropic-version: header is required' }, body.model));
    }
    if (body.stream === true) {
      return sendFailure(reply, anthropicFailure(400, { message: 'stream: this mock does not stream the Messages API' }, body.model));
    }
    const key = firstHeader(request.headers['x-api-key']);
    const input = mockInputOf(body);
    const proceed = await runMockCall(
      request,
      reply,
      deps,
      {
        input,
        model: body.model,
        requestId: firstHeader(request.headers['x-client-request-id']),
        hasAuthorization: key !== null,
        authorized: key === deps.apiKey,
        stream: false,
      },
      // Anthropic answers a bad key with "invalid x-api-key"; the offered key is appended on purpose,
      // so tests prove the adapter keeps provider error bodies free of keys.
      (status, options) =>
        anthropicFailure(status, status === 401 && key ? { message: `invalid x-api-key: ${key}` } : options, body.model),
    );
    if (!proceed) return reply;
    return reply.send(anthropicMessage(body, mockCompletion(input, body.model)));
  });
}
