import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChatCompletion, FinishReason } from '@switchyard/contracts';
import { mockCompletion, mockEmbeddings, mockStreamPieces } from '@switchyard/providers';
import { z } from 'zod';
import { sendAnswer } from '../broken-answer';
import { firstHeader, runMockCall, sendFailure, type FailureOptions, type FamilyFailure, type FamilyRouteDeps } from '../mock-call';
import { sseEvent } from '../sse';
import { content, final, other, sendStream, type FamilyStream } from '../stream-writer';

/** Only what the mock reads is checked; the rest of a Chat v2 body (tools, response_format, p, ...) is accepted as is. */
const chatBodySchema = z.looseObject({
  model: z.string().min(1),
  messages: z
    .array(
      z.looseObject({
        role: z.string(),
        content: z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() })), z.null()]).optional(),
      }),
    )
    .min(1),
  max_tokens: z.number().int().nonnegative().nullish(),
  stream: z.boolean().nullish(),
});

const embedBodySchema = z.looseObject({
  model: z.string().min(1),
  texts: z.array(z.string()).min(1),
  input_type: z.string().optional(),
  embedding_types: z.array(z.string()).min(1),
  output_dimension: z.number().int().positive().nullish(),
});

/** Example messages from Cohere's error reference, per status. */
const MESSAGES: Readonly<Record<number, string>> = {
  400: 'invalid request: the mock was told to answer 400.',
  401: 'invalid api token',
  402: 'Please add or update your payment method at https://dashboard.cohere.com/billing?tab=payment to continue',
  429: 'You are past the per minute request limit, please wait and try again later.',
  498: 'blocked output: the request or response contains a deny-listed token',
  499: 'request cancelled',
  500: 'internal server error',
};

/** Failures that the status alone does not describe, asked for with the directive's error_code. */
const CODED: Readonly<Record<string, { status: number; message: string }>> = {
  context_length_exceeded: {
    status: 400,
    message:
      'too many tokens: total number of tokens in the prompt cannot exceed 4081 - received 4292. Try using a shorter prompt, or enabling prompt truncating. See https://docs.cohere.com/reference/generate for more details.',
  },
  content_filter: { status: 498, message: MESSAGES[498] },
};

const FINISH_REASONS: Partial<Record<FinishReason, string>> = { stop: 'COMPLETE', length: 'MAX_TOKENS' };

/** Cohere's error shape, `{"message": ...}`; a 429 carries retry-after when the directive asks for one. */
function cohereFailure(status: number, options: FailureOptions, model: string | null): FamilyFailure {
  const coded = options.code === undefined ? undefined : CODED[options.code];
  const answered = coded?.status ?? status;
  const notFound = `model '${model ?? ''}' not found, make sure the correct model ID was used and that you have access to the model.`;
  const message = options.message ?? coded?.message ?? (answered === 404 ? notFound : (MESSAGES[answered] ?? `the mock was told to answer ${answered}`));
  const headers: Record<string, string> = {};
  if (answered === 429 && options.retryAfterS !== undefined) headers['retry-after'] = String(Math.ceil(options.retryAfterS));
  return { status: answered, headers, body: { message } };
}

function invalid(reply: FastifyReply, error: z.ZodError): FastifyReply {
  const issue = error.issues[0];
  const where = issue?.path.join('.') || 'body';
  return sendFailure(reply, cohereFailure(400, { message: `invalid request: ${where}: ${issue?.message ?? 'expected a JSON object'}` }, null));
}

function bearer(request: FastifyRequest, deps: FamilyRouteDeps) {
  const authorization = firstHeader(request.headers.authorization);
  return { authorization, authorized: authorization === `Bearer ${deps.apiKey}` };
}

/**
 * A 401 echoes the offered key on purpose (Cohere itself answers only "invalid api token"), as the
 * OpenAI route does: callers must prove they keep provider error bodies free of keys.
 */
function failureWriter(authorization: string | null, model: string | null) {
  return (status: number, options: FailureOptions): FamilyFailure =>
    cohereFailure(status, status === 401 && authorization ? { message: `invalid api token: ${authorization.replace(/^Bearer\s+/i, '')}` } : options, model);
}

function chatResponse(completion: ChatCompletion) {
  const choice = completion.choices[0];
  const counts = { input_tokens: completion.usage.prompt_tokens, output_tokens: completion.usage.completion_tokens };
  return {
    id: randomUUID(),
    message: { role: 'assistant', content: [{ type: 'text', text: choice.message.content ?? '' }] },
    finish_reason: FINISH_REASONS[choice.finish_reason] ?? 'COMPLETE',
    usage: { billed_units: counts, tokens: counts },
  };
}

/** A Chat v2 stream event: named by its type, which the data repeats. */
const event = (type: string, data: object = {}): string => sseEvent({ type, ...data }, type);

/**
 * A reply as Chat v2 streams it: message-start, the text item's content-start, a content-delta per
 * word and content-end, then message-end with the finish reason and usage. Cohere has no error
 * event: a generation that fails mid-way ends with finish_reason ERROR.
 */
function chatStream(response: ReturnType<typeof chatResponse>): FamilyStream {
  const text = response.message.content[0]?.text ?? '';
  return {
    contentType: 'text/event-stream',
    frames: [
      other(event('message-start', { id: response.id, delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } })),
      other(event('content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } })),
      ...mockStreamPieces(text).map((piece) => content(event('content-delta', { index: 0, delta: { message: { content: { text: piece } } } }))),
      other(event('content-end', { index: 0 })),
      final(event('message-end', { delta: { finish_reason: response.finish_reason, usage: response.usage } })),
    ],
    error: event('message-end', { delta: { finish_reason: 'ERROR', error: 'internal server error' } }),
  };
}

/** POST /v2/chat and POST /v2/embed in Cohere's wire format, answered by the shared mock logic. */
export function registerCohereRoutes(app: FastifyInstance, deps: FamilyRouteDeps): void {
  app.post('/v2/chat', async (request: FastifyRequest, reply: FastifyReply) => {
    const parsed = chatBodySchema.safeParse(request.body);
    if (!parsed.success) return invalid(reply, parsed.error);
    const body = parsed.data;
    const { authorization, authorized } = bearer(request, deps);
    const fail = failureWriter(authorization, body.model);
    const stream = body.stream === true;
    const input = { messages: body.messages, max_tokens: body.max_tokens };
    const go = await runMockCall(
      request,
      reply,
      deps,
      { input, model: body.model, requestId: null, hasAuthorization: authorization !== null, authorized, stream },
      fail,
    );
    if (!go) return reply;
    const response = chatResponse(mockCompletion(input, body.model));
    return stream ? sendStream(reply, chatStream(response), go) : sendAnswer(reply, response, go);
  });

  app.post('/v2/embed', async (request: FastifyRequest, reply: FastifyReply) => {
    const parsed = embedBodySchema.safeParse(request.body);
    if (!parsed.success) return invalid(reply, parsed.error);
    const body = parsed.data;
    const { authorization, authorized } = bearer(request, deps);
    const fail = failureWriter(authorization, body.model);
    if (!body.embedding_types.includes('float')) {
      return sendFailure(reply, fail(400, { message: 'invalid request: the mock provider answers embedding_types float only' }));
    }
    const proceed = await runMockCall(
      request,
      reply,
      deps,
      {
        input: { messages: [{ role: 'user', content: body.texts.join('\n') }] },
        model: body.model,
        requestId: null,
        hasAuthorization: authorization !== null,
        authorized,
        stream: false,
      },
      fail,
    );
    if (!proceed) return reply;
    const embedded = mockEmbeddings({ model: body.model, input: body.texts, dimensions: body.output_dimension ?? undefined }, body.model);
    return reply.send({
      id: randomUUID(),
      texts: body.texts,
      embeddings: { float: embedded.data.map((item) => item.embedding) },
      meta: { api_version: { version: '2' }, billed_units: { input_tokens: embedded.usage.prompt_tokens } },
    });
  });
}
