import type { ProviderConfig } from '@switchyard/config';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingRequest, EmbeddingResponse } from '@switchyard/contracts';
import { ProviderHttpClient } from '../http/provider-http-client';
import { applyParamPolicy } from '../params/param-policy';
import type { ProviderAdapter, ProviderCallContext } from '../provider-adapter';
import { normalizeOllamaEmbeddings, toOllamaEmbedBody } from './ollama-embeddings';
import { classifyOllamaError } from './ollama-error';
import { OLLAMA_CHAT_FEATURES } from './ollama-features';
import { readOllamaOptions, type OllamaOptions } from './ollama-options';
import { toOllamaChatBody, type OllamaChatBody } from './ollama-request';
import { normalizeOllamaChat } from './ollama-response';
import { readOllamaStream } from './ollama-stream';
import { ndjsonLines } from '../stream/ndjson-lines';

const DEFAULT_BASE_URL = 'http://127.0.0.1:11434';

/**
 * Ollama's native API (/api/chat, /api/embed), which unlike its OpenAI-compatible /v1 takes JSON
 * schemas as `format`, `keep_alive`, and reports prompt and output token counts on every answer.
 */
export class OllamaAdapter implements ProviderAdapter {
  readonly type = 'ollama';
  readonly name: string;
  private readonly http: ProviderHttpClient;
  private readonly apiKey?: string;
  private readonly options: OllamaOptions;

  constructor(private readonly config: ProviderConfig) {
    this.name = config.name;
    this.options = readOllamaOptions(config.name, config.options);
    // Ollama itself has no auth; a key is for an Ollama behind an authenticating proxy (or Ollama's cloud).
    this.apiKey = config.apiKey || undefined;
    this.http = ProviderHttpClient.forProvider(config, config.baseUrl ?? DEFAULT_BASE_URL);
  }

  async generate(request: ChatRequest, ctx: ProviderCallContext): Promise<ChatCompletion> {
    const body = this.chatBody(request, ctx);
    const { json, answer } = await this.http.json(
      { path: '/api/chat', headers: this.headers(), body: JSON.stringify(body), signal: ctx.signal },
      classifyOllamaError,
    );
    const completion = normalizeOllamaChat(json, ctx.model, { id: `chatcmpl-${ctx.jobId}`, created: Math.floor(Date.now() / 1000) });
    if (!completion) throw this.http.badResponse(answer, 'a body that is not an Ollama chat response');
    return completion;
  }

  async *stream(request: ChatRequest, ctx: ProviderCallContext): AsyncGenerator<ChatCompletionChunk> {
    const body = { ...this.chatBody(request, ctx), stream: true };
    const answer = await this.http.openStream(
      { path: '/api/chat', headers: { ...this.headers(), accept: 'application/x-ndjson' }, body: JSON.stringify(body), signal: ctx.signal },
      classifyOllamaError,
    );
    yield* readOllamaStream(ndjsonLines(answer.body, this.name), {
      http: this.http,
      identity: { id: `chatcmpl-${ctx.jobId}`, model: ctx.model, created: Math.floor(Date.now() / 1000) },
    });
  }

  async embed(request: EmbeddingRequest, ctx: ProviderCallContext): Promise<EmbeddingResponse> {
    const body = toOllamaEmbedBody(request, ctx.model, this.options);
    const { json, answer } = await this.http.json(
      { path: '/api/embed', headers: this.headers(), body: JSON.stringify(body), signal: ctx.signal },
      classifyOllamaError,
    );
    const embeddings = normalizeOllamaEmbeddings(json, request, ctx.model);
    if (!embeddings) throw this.http.badResponse(answer, 'a body that is not an Ollama embeddings response');
    return embeddings;
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private chatBody(request: ChatRequest, ctx: ProviderCallContext): OllamaChatBody {
    const allowed = applyParamPolicy(request, this.name, OLLAMA_CHAT_FEATURES, this.config.unsupportedParams, ctx.warn);
    return toOllamaChatBody(allowed, ctx.model, this.options, { provider: this.name, policy: this.config.unsupportedParams, warn: ctx.warn });
  }

  private headers(): Record<string, string> {
    return {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(this.apiKey !== undefined && { authorization: `Bearer ${this.apiKey}` }),
    };
  }
}
