import type { ProviderConfig } from '@switchyard/config';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingRequest, EmbeddingResponse } from '@switchyard/contracts';
import { ProviderHttpClient } from '../http/provider-http-client';
import { applyParamPolicy } from '../params/param-policy';
import type { ProviderAdapter, ProviderCallContext } from '../provider-adapter';
import { ProviderError } from '../provider-error';
import { toCohereEmbedBody, normalizeCohereEmbeddings } from './cohere-embeddings';
import { classifyCohereError } from './cohere-error';
import { COHERE_CHAT_FEATURES } from './cohere-features';
import { readCohereOptions, type CohereOptions } from './cohere-options';
import { toCohereChatBody } from './cohere-request';
import { readCohereChat } from './cohere-response';
import { readCohereStream } from './cohere-stream';
import { sseEvents } from '../stream/sse-events';

/** The API root; the adapter appends /v2/chat and /v2/embed. */
const DEFAULT_BASE_URL = 'https://api.cohere.com';

/** Cohere's Chat v2 and Embed v2 APIs, on api.cohere.com or a private deployment's base URL. */
export class CohereAdapter implements ProviderAdapter {
  readonly type = 'cohere';
  readonly name: string;
  private readonly http: ProviderHttpClient;
  private readonly apiKey?: string;
  private readonly options: CohereOptions;

  constructor(private readonly config: ProviderConfig) {
    this.name = config.name;
    this.options = readCohereOptions(config.name, config.options);
    // Private deployments take no key, so an unset key sends no Authorization header at all.
    this.apiKey = config.apiKey || undefined;
    this.http = ProviderHttpClient.forProvider(config, config.baseUrl ?? DEFAULT_BASE_URL);
  }

  async generate(request: ChatRequest, ctx: ProviderCallContext): Promise<ChatCompletion> {
    const allowed = applyParamPolicy(request, this.name, COHERE_CHAT_FEATURES, this.config.unsupportedParams, ctx.warn);
    const body = toCohereChatBody(allowed, ctx.model);
    const { json, answer } = await this.http.json(
      { path: '/v2/chat', headers: this.headers(), body: JSON.stringify(body), signal: ctx.signal },
      classifyCohereError,
    );
    const reading = readCohereChat(json, ctx.model, Math.floor(Date.now() / 1000));
    if (!reading) throw this.http.badResponse(answer, 'a body that is not a Cohere chat response');
    if ('failure' in reading) {
      throw new ProviderError(reading.failure.kind, `${this.name} answered ${answer.status} with finish_reason ${reading.failure.finishReason}`, {
        status: answer.status,
        body: this.http.redact(answer.text),
      });
    }
    return reading.completion;
  }

  async *stream(request: ChatRequest, ctx: ProviderCallContext): AsyncGenerator<ChatCompletionChunk> {
    const allowed = applyParamPolicy(request, this.name, COHERE_CHAT_FEATURES, this.config.unsupportedParams, ctx.warn);
    const body = { ...toCohereChatBody(allowed, ctx.model), stream: true };
    const answer = await this.http.openStream(
      { path: '/v2/chat', headers: { ...this.headers(), accept: 'text/event-stream' }, body: JSON.stringify(body), signal: ctx.signal },
      classifyCohereError,
    );
    yield* readCohereStream(sseEvents(answer.body, this.name), {
      http: this.http,
      identity: { id: `chatcmpl-${ctx.jobId}`, model: ctx.model, created: Math.floor(Date.now() / 1000) },
    });
  }

  async embed(request: EmbeddingRequest, ctx: ProviderCallContext): Promise<EmbeddingResponse> {
    const body = toCohereEmbedBody(request, ctx.model, this.options.embed_input_type);
    const { json, answer } = await this.http.json(
      { path: '/v2/embed', headers: this.headers(), body: JSON.stringify(body), signal: ctx.signal },
      classifyCohereError,
    );
    const embeddings = normalizeCohereEmbeddings(json, request, ctx.model);
    if (!embeddings) throw this.http.badResponse(answer, 'a body that is not a Cohere embeddings response');
    return embeddings;
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private headers(): Record<string, string> {
    return {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(this.apiKey !== undefined && { authorization: `Bearer ${this.apiKey}` }),
    };
  }
}
