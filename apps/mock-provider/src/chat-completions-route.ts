import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChatCompletion } from '@switchyard/contracts';
import { mockCompletion, mockFailure } from '@switchyard/providers';
import { chatBodySchema } from './chat-body';
import { firstHeader, runMockCall, sendFailure, type FailureWriter, type FamilyRouteDeps } from './mock-call';
import { shapeOpenAIAnswer } from './openai-answer';
import { writeCompletionStream } from './sse';

/** OpenAI's error shape, with `retry-after` headers on a 429. */
export const openAIFailure: FailureWriter = (status, options) => mockFailure(status, options);

/**
 * One OpenAI-format chat request, for every server that speaks it: `fail` writes that server's
 * error bodies, `finish` adds what its non-streaming answers carry beyond OpenAI's.
 */
export async function serveOpenAIChat(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: FamilyRouteDeps,
  fail: (authorization: string | null) => FailureWriter,
  finish: (completion: ChatCompletion) => object = (completion) => completion,
): Promise<FastifyReply> {
  const parsed = chatBodySchema.safeParse(request.body);
  const authorization = firstHeader(request.headers.authorization);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'body';
    return sendFailure(reply, fail(authorization)(400, { message: `Invalid request: ${where}: ${issue?.message ?? 'expected a JSON object'}` }));
  }
  const body = parsed.data;
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
    fail(authorization),
  );
  if (!proceed) return reply;
  const completion = shapeOpenAIAnswer(body, mockCompletion(body, body.model));
  if (!body.stream) return reply.send(finish(completion));
  reply.hijack();
  writeCompletionStream(reply.raw, completion, body.stream_options?.include_usage === true);
  return reply;
}

/**
 * OpenAI's 401 echoes the offered key (masked in production; whole here, on purpose): callers
 * must prove they keep provider error bodies free of keys.
 */
const openAIFailureFor = (authorization: string | null): FailureWriter => (status, options) =>
  openAIFailure(status, status === 401 && authorization ? { message: `Incorrect API key provided: ${authorization.replace(/^Bearer\s+/i, '')}.` } : options);

/** POST /v1/chat/completions: the OpenAI wire format, answered by the shared mockCompletion. */
export function registerChatCompletions(app: FastifyInstance, deps: FamilyRouteDeps): void {
  app.post('/v1/chat/completions', (request: FastifyRequest, reply: FastifyReply) => serveOpenAIChat(request, reply, deps, openAIFailureFor));
}
