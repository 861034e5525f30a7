import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MockDirectiveError, lastUserText, mockCompletion, mockFailure, mockWait, readMockRequest, type MockFailure } from '@switchyard/providers';
import { planRequest, type MockBehaviour, type RequestPlan } from './behaviour';
import { chatBodySchema } from './chat-body';
import { watchClient } from './client-watch';
import type { RequestLog } from './request-log';
import { writeCompletionStream } from './sse';

const USER_TEXT_CHARS = 200;

export interface ChatRouteDeps {
  log: RequestLog;
  behaviour: () => MockBehaviour;
  apiKey?: string;
  random: () => number;
}

function sendFailure(reply: FastifyReply, failure: MockFailure): FastifyReply {
  return reply.code(failure.status).headers(failure.headers).send(failure.body);
}

function firstHeader(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** POST /v1/chat/completions: the OpenAI wire format, answered by the shared mockCompletion. */
export function registerChatCompletions(app: FastifyInstance, deps: ChatRouteDeps): void {
  app.post('/v1/chat/completions', async (request: FastifyRequest, reply: FastifyReply) => {
    const parsed = chatBodySchema.safeParse(request.body);
    const body = parsed.success ? parsed.data : undefined;
    const authorization = firstHeader(request.headers.authorization);
    const record = deps.log.start({
      model: body?.model ?? null,
      request_id: firstHeader(request.headers['x-client-request-id']),
      user_text: body ? lastUserText(body).slice(0, USER_TEXT_CHARS) : '',
      has_authorization: authorization !== null,
      stream: body?.stream === true,
    });
    const signal = watchClient(reply, {
      onSent: (status) => deps.log.finished(record, status),
      onGone: () => deps.log.abandoned(record),
    });

    if (deps.apiKey !== undefined && authorization !== `Bearer ${deps.apiKey}`) {
      // The whole offered key is echoed on purpose (OpenAI echoes a masked part): callers must
      // prove they keep provider error bodies free of keys.
      const message =
        authorization === null
          ? "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'."
          : `Incorrect API key provided: ${authorization.replace(/^Bearer\s+/i, '')}.`;
      return sendFailure(reply, mockFailure(401, { message }));
    }
    if (!body) {
      const issue = parsed.error?.issues[0];
      const where = issue?.path.join('.') || 'body';
      return sendFailure(reply, mockFailure(400, { message: `Invalid request: ${where}: ${issue?.message ?? 'expected a JSON object'}` }));
    }

    let plan: RequestPlan;
    try {
      plan = planRequest(readMockRequest(body).directive, request.headers, deps.behaviour(), deps.random);
    } catch (error) {
      if (!(error instanceof MockDirectiveError)) throw error;
      return sendFailure(reply, mockFailure(400, { message: error.message }));
    }
    try {
      await mockWait(plan.wait, signal);
    } catch {
      // The client left; there is no one to answer.
      return reply;
    }
    if (plan.failure) {
      const { status, retryAfterS, code } = plan.failure;
      return sendFailure(reply, mockFailure(status, { retryAfterS, code }));
    }

    const completion = mockCompletion(body, body.model);
    if (!body.stream) return reply.send(completion);
    reply.hijack();
    writeCompletionStream(reply.raw, completion, body.stream_options?.include_usage === true);
    return reply;
  });
}
