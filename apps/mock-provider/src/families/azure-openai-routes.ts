import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChatCompletion } from '@switchyard/contracts';
import { mockCompletion, readMockRequest } from '@switchyard/providers';
import { z } from 'zod';
import { chatBodySchema } from '../chat-body';
import { sendAnswer } from '../broken-answer';
import { firstHeader, runMockCall, sendFailure, type FamilyRouteDeps } from '../mock-call';
import { shapeOpenAIAnswer } from '../openai-answer';
import { openAIStream, sseEvent } from '../sse';
import { other, sendStream } from '../stream-writer';
import { MISSING_API_VERSION, UNSUPPORTED_API_VERSION, azureOpenAIFailure } from './azure-openai-failure';
import { answerEmbeddings } from './openai-embeddings-route';

/** Azure drops `model` from the body: the deployment in the path names it. */
const azureChatBodySchema = chatBodySchema.extend({ model: z.string().optional() });

const paramsSchema = z.object({ deployment: z.string().min(1) });
const querySchema = z.object({ 'api-version': z.string().optional() });

/** Dated versions (`2024-10-21`) and their previews (`2025-04-01-preview`). */
const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

const SAFE = { filtered: false, severity: 'safe' };
const ALL_SAFE = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };

interface AzureCall {
  deployment: string;
  apiVersion: string;
  requestId: string | null;
  hasAuthorization: boolean;
  authorized: boolean;
}

/**
 * The route's preamble: Azure answers 404 without an api-version, 400 to one it does not know, and
 * takes the key in `api-key` or (Microsoft Entra ID) as a bearer token.
 */
function readCall(request: FastifyRequest, reply: FastifyReply, deps: FamilyRouteDeps): AzureCall | null {
  const version = querySchema.parse(request.query)['api-version'];
  if (!version) {
    sendFailure(reply, MISSING_API_VERSION);
    return null;
  }
  if (!API_VERSION.test(version)) {
    sendFailure(reply, UNSUPPORTED_API_VERSION);
    return null;
  }
  const apiKey = firstHeader(request.headers['api-key']);
  const authorization = firstHeader(request.headers.authorization);
  return {
    deployment: paramsSchema.parse(request.params).deployment,
    apiVersion: version,
    requestId: firstHeader(request.headers['x-client-request-id']),
    hasAuthorization: apiKey !== null || authorization !== null,
    authorized: apiKey === deps.apiKey || authorization === `Bearer ${deps.apiKey}`,
  };
}

/** Azure's answer: OpenAI's completion plus its content-filter annotations on the prompt and each choice. */
function azureCompletion(completion: ChatCompletion, outputFiltered: boolean): object {
  return {
    ...completion,
    prompt_filter_results: [{ prompt_index: 0, content_filter_results: ALL_SAFE }],
    choices: completion.choices.map((choice) =>
      outputFiltered
        ? // Azure returns no content for a filtered completion, only the reason.
          { ...choice, message: { role: 'assistant', content: null, refusal: null }, finish_reason: 'content_filter', content_filter_results: { ...ALL_SAFE, violence: { filtered: true, severity: 'medium' } } }
        : { ...choice, content_filter_results: ALL_SAFE },
    ),
  };
}

/**
 * Azure OpenAI's data-plane routes: chat completions and embeddings per deployment. The directive
 * `error_code: "content_filter"` without a status makes the 200 whose output the filter withheld.
 */
export function registerAzureOpenAIRoutes(app: FastifyInstance, deps: FamilyRouteDeps): void {
  app.post('/openai/deployments/:deployment/chat/completions', async (request: FastifyRequest, reply: FastifyReply) => {
    const call = readCall(request, reply, deps);
    if (!call) return reply;
    const fail = azureOpenAIFailure('ChatCompletions_Create', call.apiVersion);
    const parsed = azureChatBodySchema.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return sendFailure(reply, fail(400, { message: `Invalid request: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'expected a JSON object'}` }));
    }
    const body = parsed.data;
    const go = await runMockCall(
      request,
      reply,
      deps,
      { input: body, model: call.deployment, requestId: call.requestId, hasAuthorization: call.hasAuthorization, authorized: call.authorized, stream: body.stream === true },
      fail,
    );
    if (!go) return reply;
    const completion = shapeOpenAIAnswer(body, mockCompletion(body, call.deployment));
    if (body.stream) {
      // Azure opens a stream with the prompt's filter results in a chunk of no choices.
      const promptFilter = other(sseEvent({ id: '', object: '', created: 0, model: '', choices: [], prompt_filter_results: [{ prompt_index: 0, content_filter_results: ALL_SAFE }] }));
      return sendStream(reply, openAIStream(completion, body.stream_options?.include_usage === true, [promptFilter]), go);
    }
    return sendAnswer(reply, azureCompletion(completion, readMockRequest(body).directive.error_code === 'content_filter'), go);
  });

  app.post('/openai/deployments/:deployment/embeddings', async (request: FastifyRequest, reply: FastifyReply) => {
    const call = readCall(request, reply, deps);
    if (!call) return reply;
    return answerEmbeddings(request, reply, deps, {
      modelOf: () => call.deployment,
      requestId: call.requestId,
      hasAuthorization: call.hasAuthorization,
      authorized: call.authorized,
      fail: azureOpenAIFailure('Embeddings_Create', call.apiVersion),
    });
  });
}
