import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChatCompletion } from '@switchyard/contracts';
import { mockCompletion, mockFailure } from '@switchyard/providers';
import { chatBodySchema } from './chat-body';
import { sendAnswer } from './broken-answer';
import { firstHeader, runMockCall, sendFailure, type FailureWriter, type FamilyRouteDeps } from './mock-call';
import { shapeOpenAIAnswer } from './openai-answer';
import { openAIStream } from './sse';
import { sendStream } from './stream-writer';

/** OpenAI's error shape, with `retry-after` headers on a 429. */
export const openAIFailure: FailureWriter = (status, options) => mockFailure(status, options);

/**
 * One OpenAI-format chat request, for every server that speaks it: `fail` writes that server's
 * error bodies, `finish` adds what its non-streaming answers carry beyond OpenAI's, and
 * `streamUsage` says whether a stream ends with usage only when asked (OpenAI) or always.
 */
export async function serveOpenAIChat(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: FamilyRouteDeps,
  fail: (authorization: string | null) => FailureWriter,
  finish: (completion: ChatCompletion) => object = (completion) => completion,
  streamUsage: 'asked' | 'always' = 'asked',
): Promise<FastifyReply> {
  const parsed = chatBodySchema.safeParse(request.body);
  const authorization = firstHeader(request.headers.authorization);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'body';
    return sendFailure(reply, fail(authorization)(400, { message: `Invalid request: ${where}: ${issue?.message ?? 'expected a JSON object'}` }));
  }
  const body = parsed.data;
  const go = await runMockCall(
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
  if (!go) return reply;
  const completion = shapeOpenAIAnswer(body, mockCompletion(body, body.model));
  // OpenAI sends a null fingerprint for some models; the gateway must not pass it on (its schema says string).
  if (!body.stream) return sendAnswer(reply, { ...finish(completion), system_fingerprint: null }, go);
  return sendStream(reply, openAIStream(completion, streamUsage === 'always' || body.stream_options?.include_usage === true), go);
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
