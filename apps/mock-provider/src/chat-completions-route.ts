import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mockCompletion, mockFailure } from '@switchyard/providers';
import { chatBodySchema } from './chat-body';
import { firstHeader, runMockCall, sendFailure, type FailureWriter, type FamilyRouteDeps } from './mock-call';
import { shapeOpenAIAnswer } from './openai-answer';
import { writeCompletionStream } from './sse';

/** OpenAI's error shape, with `retry-after` headers on a 429. */
export const openAIFailure: FailureWriter = (status, options) => mockFailure(status, options);

/** POST /v1/chat/completions: the OpenAI wire format, answered by the shared mockCompletion. */
export function registerChatCompletions(app: FastifyInstance, deps: FamilyRouteDeps): void {
  app.post('/v1/chat/completions', async (request: FastifyRequest, reply: FastifyReply) => {
    const parsed = chatBodySchema.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || 'body';
      return sendFailure(reply, openAIFailure(400, { message: `Invalid request: ${where}: ${issue?.message ?? 'expected a JSON object'}` }));
    }
    const body = parsed.data;
    const authorization = firstHeader(request.headers.authorization);
    const proceed = await runMockCall(
      request,
      reply,
      deps,
      {
        input: body,
        model: body.model,
        requestId: firstHeader(request.headers['x-client-request-id']),
        hasAuthorization: authorization !== null,
        authorized: authorization === `Bearer ${deps.apiKey}`,
        stream: body.stream === true,
      },
      // The whole offered key is echoed on purpose (OpenAI echoes a masked part): callers must
      // prove they keep provider error bodies free of keys.
      (status, options) =>
        openAIFailure(status, status === 401 && authorization ? { message: `Incorrect API key provided: ${authorization.replace(/^Bearer\s+/i, '')}.` } : options),
    );
    if (!proceed) return reply;
    const completion = shapeOpenAIAnswer(body, mockCompletion(body, body.model));
    if (!body.stream) return reply.send(completion);
    reply.hijack();
    writeCompletionStream(reply.raw, completion, body.stream_options?.include_usage === true);
    return reply;
  });
}
