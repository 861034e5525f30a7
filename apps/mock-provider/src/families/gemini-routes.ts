import { mockCompletion, mockEmbeddings } from '@switchyard/providers';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z, type ZodError } from 'zod';
import { sendAnswer } from '../broken-answer';
import { firstHeader, runMockCall, sendFailure, type FailureWriter, type FamilyRouteDeps, type MockCall } from '../mock-call';
import { generateContentResponse } from './gemini-answer';
import { batchEmbedBodySchema, generateContentBodySchema, mockChatInput, partsText, type BatchEmbedBody } from './gemini-body';
import { apiKeyInvalid, geminiFailure, googleError, missingKey } from './gemini-failure';
import { blockedStream, geminiStream } from './gemini-stream';
import { sendStream, streamAsFailure } from '../stream-writer';

const streamQuerySchema = z.looseObject({ alt: z.string().optional() });

type Method = (request: FastifyRequest, reply: FastifyReply, deps: FamilyRouteDeps, model: string) => Promise<FastifyReply>;

function invalidBody(error: ZodError): ReturnType<typeof googleError> {
  const issue = error.issues[0];
  const where = issue?.path.join('.') || 'body';
  return googleError(400, 'INVALID_ARGUMENT', `Invalid JSON payload received. ${where}: ${issue?.message ?? 'expected a JSON object'}`);
}

/** The key arrives in x-goog-api-key; the mock, like Google, never looks for it elsewhere for these routes. */
function keyCheck(request: FastifyRequest, deps: FamilyRouteDeps, model: string): Pick<MockCall, 'hasAuthorization' | 'authorized'> & { fail: FailureWriter } {
  const key = firstHeader(request.headers['x-goog-api-key']);
  const authorized = deps.apiKey === undefined || key === deps.apiKey;
  return {
    hasAuthorization: key !== null,
    authorized,
    // runMockCall checks the key first, so a failure of an unauthorized call is the key's.
    fail: (status, options) => (authorized ? geminiFailure(status, options, model) : key === null ? missingKey() : apiKeyInvalid(key)),
  };
}

/** generateContent, or with `stream` streamGenerateContent (alt=sse only, the form Switchyard asks for). */
async function chat(request: FastifyRequest, reply: FastifyReply, deps: FamilyRouteDeps, model: string, stream: boolean): Promise<FastifyReply> {
  if (stream && streamQuerySchema.safeParse(request.query).data?.alt !== 'sse') {
    return sendFailure(reply, googleError(400, 'INVALID_ARGUMENT', 'This mock streams only Server-Sent Events: add alt=sse.'));
  }
  const parsed = generateContentBodySchema.safeParse(request.body);
  if (!parsed.success) return sendFailure(reply, invalidBody(parsed.error));
  const input = mockChatInput(parsed.data);
  const { fail, ...auth } = keyCheck(request, deps, model);
  // A blocked prompt is a 200 response; asked for a stream, Gemini streams it as its one event.
  const failStreamed: FailureWriter = (status, options) => {
    const failure = fail(status, options);
    return stream && failure.status === 200 ? streamAsFailure(blockedStream(failure.body)) : failure;
  };
  const requestId = firstHeader(request.headers['x-client-request-id']);
  const go = await runMockCall(request, reply, deps, { input, model, requestId, stream, ...auth }, failStreamed);
  if (!go) return reply;
  const response = generateContentResponse(parsed.data, mockCompletion(input, model));
  return stream ? sendStream(reply, geminiStream(response), go) : sendAnswer(reply, response, go);
}

const generateContent: Method = (request, reply, deps, model) => chat(request, reply, deps, model, false);
const streamGenerateContent: Method = (request, reply, deps, model) => chat(request, reply, deps, model, true);

function embedResponse(body: BatchEmbedBody, model: string): unknown {
  return {
    embeddings: body.requests.map((item) => {
      const [embedding] = mockEmbeddings({ model, input: partsText(item.content.parts), dimensions: item.outputDimensionality }, model).data;
      return { values: embedding.embedding };
    }),
  };
}

const batchEmbedContents: Method = async (request, reply, deps, model) => {
  const parsed = batchEmbedBodySchema.safeParse(request.body);
  if (!parsed.success) return sendFailure(reply, invalidBody(parsed.error));
  const stray = parsed.data.requests.findIndex((item) => item.model !== `models/${model}`);
  if (stray >= 0) return sendFailure(reply, googleError(400, 'INVALID_ARGUMENT', `requests[${stray}].model must be models/${model}, the model of the batch.`));
  // Each input is a user message, so a #mock{...} directive in the last input steers the call.
  const input = { messages: parsed.data.requests.map((item) => ({ role: 'user', content: partsText(item.content.parts) })) };
  const { fail, ...auth } = keyCheck(request, deps, model);
  const requestId = firstHeader(request.headers['x-client-request-id']);
  if (!(await runMockCall(request, reply, deps, { input, model, requestId, stream: false, ...auth }, fail))) return reply;
  return reply.send(embedResponse(parsed.data, model));
};

const METHODS: Readonly<Record<string, Method>> = { generateContent, streamGenerateContent, batchEmbedContents };

/**
 * POST /v1beta/models/{model}:generateContent, :streamGenerateContent and :batchEmbedContents (and the same under /v1):
 * the Gemini API's wire format, answered by the shared mockCompletion and mockEmbeddings.
 */
export function registerGeminiRoutes(app: FastifyInstance, deps: FamilyRouteDeps): void {
  for (const version of ['v1beta', 'v1']) {
    // `{model}:{method}` is one path segment; the colon is not a route parameter boundary here.
    app.post<{ Params: { target: string } }>(`/${version}/models/:target`, async (request, reply) => {
      const { target } = request.params;
      const colon = target.lastIndexOf(':');
      const model = target.slice(0, colon);
      const method = target.slice(colon + 1);
      if (colon <= 0 || !Object.hasOwn(METHODS, method)) {
        return sendFailure(reply, googleError(404, 'NOT_FOUND', `models/${target} is not found for API version ${version}, or is not supported.`));
      }
      return METHODS[method](request, reply, deps, model);
    });
  }
}
