import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mockEmbeddings } from '@switchyard/providers';
import { z } from 'zod';
import { openAIFailure } from '../chat-completions-route';
import { firstHeader, runMockCall, sendFailure, type FailureWriter, type FamilyRouteDeps } from '../mock-call';

/** Keeps a typo like `dimensions: 1e9` from exhausting memory. */
const MAX_DIMENSIONS = 8192;

/** OpenAI's embeddings request, checked as strictly as OpenAI checks the fields the mock uses. */
export const embeddingsBodySchema = z.looseObject({
  model: z.string().min(1).optional(),
  input: z.union([z.string(), z.array(z.string()).min(1)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).max(MAX_DIMENSIONS).optional(),
  user: z.string().optional(),
});

export type EmbeddingsBody = z.infer<typeof embeddingsBodySchema>;

/** What the route was called with, once the family's own path, headers and auth are read. */
export interface EmbeddingsCall {
  /** The model the family names (from the body, or the path for Azure); null answers 400. */
  modelOf: (body: EmbeddingsBody) => string | null;
  requestId: string | null;
  hasAuthorization: boolean;
  authorized: boolean;
  fail: FailureWriter;
}

/**
 * The shared embeddings flow for every OpenAI-shaped route: validate, run the mock call (the
 * directive is read from the last input), answer with mockEmbeddings.
 */
export async function answerEmbeddings(request: FastifyRequest, reply: FastifyReply, deps: FamilyRouteDeps, call: EmbeddingsCall): Promise<FastifyReply> {
  const parsed = embeddingsBodySchema.safeParse(request.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'body';
    return sendFailure(reply, call.fail(400, { message: `Invalid request: ${where}: ${issue?.message ?? 'expected a JSON object'}` }));
  }
  const body = parsed.data;
  const model = call.modelOf(body);
  if (model === null) return sendFailure(reply, call.fail(400, { message: 'you must provide a model parameter' }));
  const inputs = typeof body.input === 'string' ? [body.input] : body.input;
  const proceed = await runMockCall(
    request,
    reply,
    deps,
    {
      input: { messages: inputs.map((text) => ({ role: 'user', content: text })) },
      model,
      requestId: call.requestId,
      hasAuthorization: call.hasAuthorization,
      authorized: call.authorized,
      stream: false,
    },
    call.fail,
  );
  if (!proceed) return reply;
  return reply.send(mockEmbeddings({ model, input: body.input, encoding_format: body.encoding_format, dimensions: body.dimensions }, model));
}

/** POST /v1/embeddings: OpenAI's embeddings API, with the same bearer check and key echo as chat. */
export function registerOpenAIEmbeddings(app: FastifyInstance, deps: FamilyRouteDeps): void {
  app.post('/v1/embeddings', async (request: FastifyRequest, reply: FastifyReply) => {
    const authorization = firstHeader(request.headers.authorization);
    return answerEmbeddings(request, reply, deps, {
      modelOf: (body) => body.model ?? null,
      requestId: firstHeader(request.headers['x-client-request-id']),
      hasAuthorization: authorization !== null,
      authorized: authorization === `Bearer ${deps.apiKey}`,
      // The whole offered key is echoed on purpose, as on chat: callers must prove they scrub it.
      fail: (status, options) =>
        openAIFailure(status, status === 401 && authorization ? { message: `Incorrect API key provided: ${authorization.replace(/^Bearer\s+/i, '')}.` } : options),
    });
  });
}
