import type { ProviderConfig } from '@switchyard/config';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingRequest, EmbeddingResponse } from '@switchyard/contracts';
import { kindForHttpError } from '../http-error-kind';
import { ProviderHttpClient, type HttpAnswer, type ErrorReading } from '../http/provider-http-client';
import { ALL_CHAT_FEATURES } from '../params/all-features';
import { applyParamPolicy, type ChatFeature } from '../params/param-policy';
import type { ProviderAdapter, ProviderCallContext } from '../provider-adapter';
import { readErrorBody } from './openai-error-body';
import { normalizeChatCompletion } from './openai-response';
import { normalizeEmbeddings } from './openai-embeddings';
import { readOpenAIStream } from './openai-stream';
import { sseEvents } from '../stream/sse-events';

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** OpenAI's error body, classified by status and refined by its error code. */
export function classifyOpenAIError(answer: HttpAnswer): ErrorReading {
  const info = readErrorBody(answer.text);
  return { kind: kindForHttpError(answer.status, info.code), message: info.message };
}

/** What a family speaking OpenAI's wire format settles once, at construction. */
export interface OpenAIWireSetup {
  baseUrl: string;
  chatFeatures: ReadonlySet<ChatFeature>;
  /** Credentials besides `apiKey` (e.g. from options) that must never reach an error. */
  secrets?: Array<string | undefined>;
}

/**
 * Chat Completions and Embeddings against any OpenAI-compatible base URL (OpenAI, vLLM, Ollama's
 * /v1, llama.cpp, other gateways, apps/mock-provider). Families with the same wire format and a few
 * differences (Azure's paths and auth, a server's renamed fields) subclass it and override the
 * protected hooks below.
 */
export class OpenAIAdapter implements ProviderAdapter {
  readonly type: string = 'openai';
  readonly name: string;
  protected readonly http: ProviderHttpClient;
  protected readonly apiKey?: string;
  protected readonly chatFeatures: ReadonlySet<ChatFeature>;

  constructor(
    protected readonly config: ProviderConfig,
    setup?: OpenAIWireSetup,
  ) {
    this.name = config.name;
    this.apiKey = config.apiKey || undefined;
    this.chatFeatures = setup?.chatFeatures ?? ALL_CHAT_FEATURES;
    this.http = ProviderHttpClient.forProvider(config, setup?.baseUrl ?? config.baseUrl ?? DEFAULT_BASE_URL, setup?.secrets);
  }

  async generate(request: ChatRequest, ctx: ProviderCallContext): Promise<ChatCompletion> {
    const allowed = applyParamPolicy(request, this.name, this.chatFeatures, this.config.unsupportedParams, ctx.warn);
    const body = this.chatBody(allowed, ctx);
    const { json, answer } = await this.http.json(
      { path: this.chatPath(ctx.model), headers: this.headers(ctx.jobId), body: JSON.stringify(body), signal: ctx.signal },
      (failed) => this.classifyError(failed),
    );
    const completion = normalizeChatCompletion(json, { id: `chatcmpl-${ctx.jobId}`, model: ctx.model, created: Math.floor(Date.now() / 1000) });
    if (!completion) throw this.http.badResponse(answer, 'a body that is not a chat completion');
    return completion;
  }

  async *stream(request: ChatRequest, ctx: ProviderCallContext): AsyncGenerator<ChatCompletionChunk> {
    const allowed = applyParamPolicy(request, this.name, this.chatFeatures, this.config.unsupportedParams, ctx.warn);
    const body = { ...this.chatBody(allowed, ctx), ...this.streamFields() };
    const answer = await this.http.openStream(
      {
        path: this.chatPath(ctx.model),
        headers: { ...this.headers(ctx.jobId), accept: 'text/event-stream' },
        body: JSON.stringify(body),
        signal: ctx.signal,
      },
      (failed) => this.classifyError(failed),
    );
    yield* readOpenAIStream(sseEvents(answer.body, this.name), {
      http: this.http,
      classify: (failed) => this.classifyError(failed),
      fallbacks: { id: `chatcmpl-${ctx.jobId}`, model: ctx.model, created: Math.floor(Date.now() / 1000) },
    });
  }

  async embed(request: EmbeddingRequest, ctx: ProviderCallContext): Promise<EmbeddingResponse> {
    const body = this.embeddingsBody(request, ctx);
    const { json, answer } = await this.http.json(
      { path: this.embeddingsPath(ctx.model), headers: this.headers(ctx.jobId), body: JSON.stringify(body), signal: ctx.signal },
      (failed) => this.classifyError(failed),
    );
    const embeddings = normalizeEmbeddings(json, ctx.model);
    if (!embeddings) throw this.http.badResponse(answer, 'a body that is not an embeddings list');
    return embeddings;
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  /** Relative to the base URL; `model` is the routed upstream model. */
  protected chatPath(_model: string): string {
    return '/chat/completions';
  }

  protected embeddingsPath(_model: string): string {
    return '/embeddings';
  }

  /** The wire body for a request the param policy has already filtered. */
  protected chatBody(request: ChatRequest, ctx: ProviderCallContext): Record<string, unknown> {
    return { ...request, model: ctx.model };
  }

  /** What turns the body into a streamed one; usage is asked for, so a streamed job is priced like any other. */
  protected streamFields(): Record<string, unknown> {
    return { stream: true, stream_options: { include_usage: true } };
  }

  protected embeddingsBody(request: EmbeddingRequest, ctx: ProviderCallContext): Record<string, unknown> {
    return { ...request, model: ctx.model };
  }

  protected classifyError(answer: HttpAnswer): ErrorReading {
    return classifyOpenAIError(answer);
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
