import type { ProviderConfig } from '@switchyard/config';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingRequest, EmbeddingResponse } from '@switchyard/contracts';
import { ProviderHttpClient, clip, type HttpAnswer } from '../http/provider-http-client';
import { applyParamPolicy } from '../params/param-policy';
import type { ProviderAdapter, ProviderCallContext } from '../provider-adapter';
import { ProviderError } from '../provider-error';
import { classifyGeminiError } from './gemini-error';
import { normalizeBatchEmbeddings, toBatchEmbedRequest } from './gemini-embeddings';
import { GEMINI_CHAT_FEATURES } from './gemini-features';
import { readGeminiOptions } from './gemini-options';
import { toGeminiRequest } from './gemini-request';
import { readGenerateContentResponse } from './gemini-response';
import { readGeminiStream } from './gemini-stream';
import { sseEvents } from '../stream/sse-events';

const DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

/** `gemini-2.5-flash` names `models/gemini-2.5-flash`; a full resource name (`tunedModels/...`) is kept. */
export function modelResource(model: string): string {
  return model.includes('/') ? model : `models/${model}`;
}

/**
 * The Google AI Gemini API (Generative Language API): generateContent for chat, batchEmbedContents
 * for embeddings. The key goes in the x-goog-api-key header, never in the URL, which ends up in logs.
 */
export class GeminiAdapter implements ProviderAdapter {
  readonly type = 'gemini';
  readonly name: string;
  private readonly http: ProviderHttpClient;
  private readonly apiKey?: string;
  private readonly versionPath: string;

  constructor(private readonly config: ProviderConfig) {
    this.name = config.name;
    this.versionPath = `/${readGeminiOptions(config).apiVersion}`;
    this.apiKey = config.apiKey || undefined;
    this.http = ProviderHttpClient.forProvider(config, config.baseUrl ?? DEFAULT_BASE_URL);
  }

  async generate(request: ChatRequest, ctx: ProviderCallContext): Promise<ChatCompletion> {
    const allowed = applyParamPolicy(request, this.name, GEMINI_CHAT_FEATURES, this.config.unsupportedParams, ctx.warn);
    const body = toGeminiRequest(allowed, this.name);
    const { json, answer } = await this.http.json(
      { path: this.methodPath(ctx.model, 'generateContent'), headers: this.headers(ctx.jobId), body: JSON.stringify(body), signal: ctx.signal },
      classifyGeminiError,
    );
    const reading = readGenerateContentResponse(json, { id: `chatcmpl-${ctx.jobId}`, model: ctx.model, created: Math.floor(Date.now() / 1000) });
    if (!reading) throw this.http.badResponse(answer, 'a body that is not a generateContent response');
    if (reading.kind === 'blocked') throw this.blocked(answer, reading.blockReason, reading.message);
    for (const reason of reading.unmappedFinishReasons) ctx.warn(`${this.name} finished with ${reason}, which has no OpenAI finish_reason`);
    return reading.completion;
  }

  async *stream(request: ChatRequest, ctx: ProviderCallContext): AsyncGenerator<ChatCompletionChunk> {
    const allowed = applyParamPolicy(request, this.name, GEMINI_CHAT_FEATURES, this.config.unsupportedParams, ctx.warn);
    const body = toGeminiRequest(allowed, this.name);
    const answer = await this.http.openStream(
      {
        // alt=sse makes the stream Server-Sent Events; without it Gemini streams one JSON array.
        path: `${this.methodPath(ctx.model, 'streamGenerateContent')}?alt=sse`,
        headers: { ...this.headers(ctx.jobId), accept: 'text/event-stream' },
        body: JSON.stringify(body),
        signal: ctx.signal,
      },
      classifyGeminiError,
    );
    yield* readGeminiStream(sseEvents(answer.body, this.name), {
      http: this.http,
      identity: { id: `chatcmpl-${ctx.jobId}`, model: ctx.model, created: Math.floor(Date.now() / 1000) },
      warn: ctx.warn,
    });
  }

  async embed(request: EmbeddingRequest, ctx: ProviderCallContext): Promise<EmbeddingResponse> {
    const { json, answer } = await this.http.json(
      {
        path: this.methodPath(ctx.model, 'batchEmbedContents'),
        headers: this.headers(ctx.jobId),
        body: JSON.stringify(toBatchEmbedRequest(request, modelResource(ctx.model))),
        signal: ctx.signal,
      },
      classifyGeminiError,
    );
    const embeddings = normalizeBatchEmbeddings(json, request, ctx.model);
    if (!embeddings) throw this.http.badResponse(answer, 'a body that is not one embedding per input');
    return embeddings;
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private methodPath(model: string, method: string): string {
    const resource = modelResource(model).split('/').map(encodeURIComponent).join('/');
    return `${this.versionPath}/${resource}:${method}`;
  }

  /**
   * Gemini answers a blocked prompt with 200, promptFeedback.blockReason and no candidates. OpenAI
   * and Azure refuse such a prompt with an error, so it becomes one here too: content_filter,
   * which fails the job rather than retrying or falling back with the same prompt.
   */
  private blocked(answer: HttpAnswer, blockReason: string, message: string | undefined): ProviderError {
    const detail = message ? `: ${clip(message)}` : '';
    return new ProviderError('content_filter', this.http.redact(`${this.name} blocked the prompt (${blockReason})${detail}`), {
      status: answer.status,
      body: this.http.redact(answer.text),
    });
  }

  private headers(jobId: string): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      // Google has no request-id header of its own; this one is ignored upstream and traces the job in proxies and the mock.
      'x-client-request-id': jobId,
    };
    if (this.apiKey) headers['x-goog-api-key'] = this.apiKey;
    return headers;
  }
}
