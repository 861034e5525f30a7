import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mockCompletion } from '@switchyard/providers';
import { sendAnswer } from '../broken-answer';
import { firstHeader, runMockCall, sendFailure, type FamilyRouteDeps } from '../mock-call';
import { messagesBodySchema, mockInputOf } from './anthropic-body';
import { anthropicFailure, refusalMessage } from './anthropic-failure';
import { anthropicMessage } from './anthropic-message';
import { anthropicStream } from './anthropic-stream';
import { sendStream, streamAsFailure } from '../stream-writer';

/** POST /v1/messages: the Anthropic Messages API, plain or streamed, answered by the shared mockCompletion. */
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
    const stream = body.stream === true;
    const key = firstHeader(request.headers['x-api-key']);
    const input = mockInputOf(body);
    const go = await runMockCall(
      request,
      reply,
      deps,
      {
        input,
        model: body.model,
        requestId: firstHeader(request.headers['x-client-request-id']),
        hasAuthorization: key !== null,
        authorized: key === deps.apiKey,
        stream,
      },
      // Anthropic answers a bad key with "invalid x-api-key"; the offered key is appended on purpose,
      // so tests prove the adapter keeps provider error bodies free of keys.
      (status, options) => {
        const failure = anthropicFailure(status, status === 401 && key ? { message: `invalid x-api-key: ${key}` } : options, body.model);
        // A refusal is a 200 message; asked for a stream, Anthropic streams it.
        return stream && failure.status === 200 ? streamAsFailure(anthropicStream(refusalMessage(body.model))) : failure;
      },
    );
    if (!go) return reply;
    const message = anthropicMessage(body, mockCompletion(input, body.model));
    return stream ? sendStream(reply, anthropicStream(message), go) : sendAnswer(reply, message, go);
  });
}
