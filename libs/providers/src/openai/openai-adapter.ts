import type { ProviderConfig } from '@switchyard/config';
import type { ChatCompletion, ChatRequest, EmbeddingRequest, EmbeddingResponse } from '@switchyard/contracts';
import { kindForHttpError } from '../http-error-kind';
import { ProviderHttpClient, type HttpAnswer, type ErrorReading } from '../http/provider-http-client';
import { ALL_CHAT_FEATURES } from '../params/all-features';
import { applyParamPolicy } from '../params/param-policy';
import type { ProviderAdapter, ProviderCallContext } from '../provider-adapter';
import { readErrorBody } from './openai-error-body';
import { normalizeChatCompletion } from './openai-response';
import { normalizeEmbeddings } from './openai-embeddings';

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** OpenAI's error body, classified by status and refined by its error code. */
export function classifyOpenAIError(answer: HttpAnswer): ErrorReading {
  const info = readErrorBody(answer.text);
  return { kind: kindForHttpError(answer.status, info.code), message: info.message };
}

/**
 * Chat Completions and Embeddings against any OpenAI-compatible base URL (OpenAI, vLLM, Ollama's
 * /v1, llama.cpp, other gateways, apps/mock-provider).
 */
export class OpenAIAdapter implements ProviderAdapter {
  readonly type: string = 'openai';
  readonly name: string;
  protected readonly http: ProviderHttpClient;
  protected readonly apiKey?: string;

  constructor(protected readonly config: ProviderConfig) {
    this.name = config.name;
    this.apiKey = config.apiKey || undefined;
    this.http = new ProviderHttpClient({
      name: config.name,
      baseUrl: config.baseUrl ?? DEFAULT_BASE_URL,
      concurrency: config.concurrency,
      timeoutMs: config.timeoutMs,
      secrets: [this.apiKey],
    });
  }

  async generate(request: ChatRequest, ctx: ProviderCallContext): Promise<ChatCompletion> {
    const allowed = applyParamPolicy(request, this.name, ALL_CHAT_FEATURES, this.config.unsupportedParams, ctx.warn);
    const { json, answer } = await this.http.json(
      { path: '/chat/completions', headers: this.headers(ctx.jobId), body: JSON.stringify({ ...allowed, model: ctx.model }), signal: ctx.signal },
      classifyOpenAIError,
    );
    const completion = normalizeChatCompletion(json, { id: `chatcmpl-${ctx.jobId}`, model: ctx.model, created: Math.floor(Date.now() / 1000) });
    if (!completion) throw this.http.badResponse(answer, 'a body that is not a chat completion');
    return completion;
  }

  async embed(request: EmbeddingRequest, ctx: ProviderCallContext): Promise<EmbeddingResponse> {
    const { json, answer } = await this.http.json(
      { path: '/embeddings', headers: this.headers(ctx.jobId), body: JSON.stringify({ ...request, model: ctx.model }), signal: ctx.signal },
      classifyOpenAIError,
    );
    const embeddings = normalizeEmbeddings(json, ctx.model);
    if (!embeddings) throw this.http.badResponse(answer, 'a body that is not an embeddings list');
    return embeddings;
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  protected headers(jobId: string): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'x-client-request-id': jobId,
    };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    return headers;
  }
}
