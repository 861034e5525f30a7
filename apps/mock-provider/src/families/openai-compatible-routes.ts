import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChatCompletion } from '@switchyard/contracts';
import { z } from 'zod';
import { serveOpenAIChat } from '../chat-completions-route';
import { firstHeader, sendFailure, type FamilyFailure, type FamilyRouteDeps } from '../mock-call';
import { compatibleFailure } from './openai-compatible-failure';
import { answerEmbeddings } from './openai-embeddings-route';

const paramsSchema = z.object({ server: z.string().min(1) });

/** DeepSeek reports its disk cache in usage under names of its own; the mock never hits it. */
function withServerUsage(server: string, completion: ChatCompletion): object {
  if (server !== 'deepseek') return completion;
  const { usage } = completion;
  return { ...completion, usage: { ...usage, prompt_cache_hit_tokens: 0, prompt_cache_miss_tokens: usage.prompt_tokens } };
}

/**
 * Mistral validates bodies strictly and has no stream_options: it answers 422 with pydantic's
 * `extra_forbidden`, and reports usage in a stream's last chunk unasked.
 */
function mistralRefusal(body: unknown): FamilyFailure | undefined {
  if (typeof body !== 'object' || body === null || !('stream_options' in body)) return undefined;
  const detail = [{ type: 'extra_forbidden', loc: ['body', 'stream_options'], msg: 'Extra inputs are not permitted', input: body.stream_options }];
  return { status: 422, headers: {}, body: { object: 'error', message: { detail }, type: 'invalid_request_error', param: null, code: null } };
}

/**
 * `/compat/{server}/v1/...`: an OpenAI-compatible server (vllm, ollama, groq, together, fireworks,
 * deepseek, openrouter, mistral) as seen by the openai-compatible family. The wire format is
 * OpenAI's; what differs per server is the error body (vLLM's own shape, DeepSeek's worded
 * context-length refusal), DeepSeek's usage fields and Mistral's refusal of stream_options.
 */
export function registerOpenAICompatibleRoutes(app: FastifyInstance, deps: FamilyRouteDeps): void {
  app.post('/compat/:server/v1/chat/completions', async (request: FastifyRequest, reply: FastifyReply) => {
    const { server } = paramsSchema.parse(request.params);
    if (server === 'mistral') {
      const refusal = mistralRefusal(request.body);
      if (refusal) return sendFailure(reply, refusal);
    }
    const usage = server === 'mistral' ? 'always' : 'asked';
    return serveOpenAIChat(request, reply, deps, () => compatibleFailure(server), (completion) => withServerUsage(server, completion), usage);
  });

  app.post('/compat/:server/v1/embeddings', async (request: FastifyRequest, reply: FastifyReply) => {
    const { server } = paramsSchema.parse(request.params);
    const authorization = firstHeader(request.headers.authorization);
    return answerEmbeddings(request, reply, deps, {
      modelOf: (body) => body.model ?? null,
      requestId: firstHeader(request.headers['x-client-request-id']),
      hasAuthorization: authorization !== null,
      authorized: authorization === `Bearer ${deps.apiKey}`,
      fail: compatibleFailure(server),
    });
  });
}
