import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChatCompletion } from '@switchyard/contracts';
import { mockCompletion, mockEmbeddings, mockStreamPieces } from '@switchyard/providers';
import { z } from 'zod';
import { sendAnswer } from '../broken-answer';
import { firstHeader, runMockCall, sendFailure, type FailureOptions, type FamilyFailure, type FamilyRouteDeps } from '../mock-call';
import { content, final, sendStream, type FamilyStream } from '../stream-writer';

/** Only what the mock reads is checked; tools, format, keep_alive and the other options are accepted as is. */
const chatBodySchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({ role: z.string(), content: z.string().nullish(), images: z.array(z.string()).nullish() })).min(1),
  stream: z.boolean().nullish(),
  options: z.looseObject({ num_predict: z.number().int().nullish() }).nullish(),
});

const embedBodySchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1)]),
  dimensions: z.number().int().positive().nullish(),
  truncate: z.boolean().nullish(),
});

/** Ollama's own words, per status (its errors page and server messages). */
const MESSAGES: Readonly<Record<number, string>> = {
  400: 'invalid request: the mock was told to answer 400',
  401: 'unauthorized',
  403: 'cloud model access is disabled',
  429: 'too many requests',
  500: 'the model failed to generate a response',
  502: 'the cloud model cannot be reached',
  503: 'server busy, please try again.  maximum pending requests exceeded',
};

/** Failures that the status alone does not describe, asked for with the directive's error_code. */
const CODED: Readonly<Record<string, { status: number; message: string }>> = {
  context_length_exceeded: { status: 400, message: 'the input length exceeds the context length' },
};

/** Ollama's error shape, `{"error": ...}`; a 429 carries retry-after when the directive asks for one. */
function ollamaFailure(status: number, options: FailureOptions, model: string | null): FamilyFailure {
  const coded = options.code === undefined ? undefined : CODED[options.code];
  const answered = coded?.status ?? status;
  const notFound = `model "${model ?? ''}" not found, try pulling it first`;
  const error = options.message ?? coded?.message ?? (answered === 404 ? notFound : (MESSAGES[answered] ?? `the mock was told to answer ${answered}`));
  const headers: Record<string, string> = {};
  if (answered === 429 && options.retryAfterS !== undefined) headers['retry-after'] = String(Math.ceil(options.retryAfterS));
  return { status: answered, headers, body: { error } };
}

function invalid(reply: FastifyReply, error: z.ZodError): FastifyReply {
  const issue = error.issues[0];
  const where = issue?.path.join('.') || 'body';
  return sendFailure(reply, ollamaFailure(400, { message: `${where}: ${issue?.message ?? 'expected a JSON object'}` }, null));
}

/**
 * Ollama has no auth of its own; with a key configured the mock plays an authenticating proxy in
 * front of it. Its 401 echoes the offered key on purpose, as the OpenAI route does: callers must
 * prove they keep provider error bodies free of keys.
 */
function auth(request: FastifyRequest, deps: FamilyRouteDeps, model: string | null) {
  const authorization = firstHeader(request.headers.authorization);
  const fail = (status: number, options: FailureOptions): FamilyFailure =>
    ollamaFailure(status, status === 401 && authorization ? { message: `unauthorized: ${authorization.replace(/^Bearer\s+/i, '')}` } : options, model);
  return { hasAuthorization: authorization !== null, authorized: authorization === `Bearer ${deps.apiKey}`, fail };
}

function elapsedNs(started: bigint): number {
  return Number(process.hrtime.bigint() - started);
}

function chatAnswer(completion: ChatCompletion, model: string, started: bigint) {
  const choice = completion.choices[0];
  return {
    model,
    created_at: new Date(completion.created * 1000).toISOString(),
    message: { role: 'assistant', content: choice.message.content ?? '' },
    done: true,
    done_reason: choice.finish_reason === 'length' ? 'length' : 'stop',
    total_duration: elapsedNs(started),
    load_duration: 0,
    prompt_eval_count: completion.usage.prompt_tokens,
    prompt_eval_duration: 0,
    eval_count: completion.usage.completion_tokens,
    eval_duration: 0,
  };
}

const line = (record: object): string => `${JSON.stringify(record)}\n`;

/**
 * Ollama streams unless told not to: NDJSON, a record per word, then a final `done: true` record
 * with the counts. A failure after the first record is an `{"error"}` line, then the end.
 */
function ndjsonStream(answer: ReturnType<typeof chatAnswer>): FamilyStream {
  const piece = (text: string): string => line({ model: answer.model, created_at: answer.created_at, message: { role: 'assistant', content: text }, done: false });
  return {
    contentType: 'application/x-ndjson',
    frames: [...mockStreamPieces(answer.message.content).map((text) => content(piece(text))), final(line({ ...answer, message: { role: 'assistant', content: '' } }))],
    error: line({ error: MESSAGES[500] }),
  };
}

/** POST /api/chat and POST /api/embed in Ollama's native wire format, answered by the shared mock logic. */
export function registerOllamaRoutes(app: FastifyInstance, deps: FamilyRouteDeps): void {
  app.post('/api/chat', async (request: FastifyRequest, reply: FastifyReply) => {
    const started = process.hrtime.bigint();
    const parsed = chatBodySchema.safeParse(request.body);
    if (!parsed.success) return invalid(reply, parsed.error);
    const body = parsed.data;
    const { hasAuthorization, authorized, fail } = auth(request, deps, body.model);
    const stream = body.stream !== false;
    const limit = body.options?.num_predict;
    // A negative num_predict is Ollama's "no limit".
    const input = { messages: body.messages, max_tokens: limit === undefined || limit === null || limit < 0 ? undefined : limit };
    const go = await runMockCall(request, reply, deps, { input, model: body.model, requestId: null, hasAuthorization, authorized, stream }, fail);
    if (!go) return reply;
    const answer = chatAnswer(mockCompletion(input, body.model), body.model, started);
    return stream ? sendStream(reply, ndjsonStream(answer), go) : sendAnswer(reply, answer, go);
  });

  app.post('/api/embed', async (request: FastifyRequest, reply: FastifyReply) => {
    const started = process.hrtime.bigint();
    const parsed = embedBodySchema.safeParse(request.body);
    if (!parsed.success) return invalid(reply, parsed.error);
    const body = parsed.data;
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    const { hasAuthorization, authorized, fail } = auth(request, deps, body.model);
    const proceed = await runMockCall(
      request,
      reply,
      deps,
      { input: { messages: [{ role: 'user', content: inputs.join('\n') }] }, model: body.model, requestId: null, hasAuthorization, authorized, stream: false },
      fail,
    );
    if (!proceed) return reply;
    const embedded = mockEmbeddings({ model: body.model, input: inputs, dimensions: body.dimensions ?? undefined }, body.model);
    return reply.send({
      model: body.model,
      embeddings: embedded.data.map((item) => item.embedding),
      total_duration: elapsedNs(started),
      load_duration: 0,
      prompt_eval_count: embedded.usage.prompt_tokens,
    });
  });
}
