import type { ProviderConfig } from '@switchyard/config';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '@switchyard/contracts';
import { ProviderHttpClient } from '../http/provider-http-client';
import { applyParamPolicy } from '../params/param-policy';
import type { ProviderAdapter, ProviderCallContext } from '../provider-adapter';
import { ProviderError } from '../provider-error';
import { classifyAnthropicError } from './anthropic-error';
import { ANTHROPIC_CHAT_FEATURES } from './anthropic-features';
import { parseAnthropicOptions, type AnthropicOptions } from './anthropic-options';
import { toAnthropicRequest, type AnthropicCall } from './anthropic-request';
import { normalizeAnthropicMessage } from './anthropic-response';
import { readAnthropicStream } from './anthropic-stream';
import { AnthropicShapeError } from './anthropic-wire';
import { sseEvents } from '../stream/sse-events';

const DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** When neither the request nor the model registry gives a limit: the Messages API requires one. */
const FALLBACK_MAX_TOKENS = 4096;

/** The Anthropic Messages API (`POST /v1/messages`), or anything that speaks it. */
export class AnthropicAdapter implements ProviderAdapter {
  readonly type = 'anthropic';
  readonly name: string;
  private readonly http: ProviderHttpClient;
  private readonly apiKey?: string;
  private readonly options: AnthropicOptions;

  constructor(private readonly config: ProviderConfig) {
    this.name = config.name;
    this.apiKey = config.apiKey || undefined;
    this.options = parseAnthropicOptions(config);
    this.http = ProviderHttpClient.forProvider(config, config.baseUrl ?? DEFAULT_BASE_URL);
  }

  async generate(request: ChatRequest, ctx: ProviderCallContext): Promise<ChatCompletion> {
    const allowed = applyParamPolicy(request, this.name, ANTHROPIC_CHAT_FEATURES, this.config.unsupportedParams, ctx.warn);
    const call = this.translate(allowed, ctx);
    const { json, answer } = await this.http.json(
      { path: '/v1/messages', headers: this.headers(ctx.jobId), body: JSON.stringify(call.body), signal: ctx.signal },
      classifyAnthropicError,
    );
    const completion = normalizeAnthropicMessage(json, {
      model: ctx.model,
      jobId: ctx.jobId,
      created: Math.floor(Date.now() / 1000),
      structuredOutputTool: call.structuredOutputTool,
    });
    if (!completion) throw this.http.badResponse(answer, 'a body that is not a Messages API message');
    return completion;
  }

  async *stream(request: ChatRequest, ctx: ProviderCallContext): AsyncGenerator<ChatCompletionChunk> {
    const allowed = applyParamPolicy(request, this.name, ANTHROPIC_CHAT_FEATURES, this.config.unsupportedParams, ctx.warn);
    const call = this.translate(allowed, ctx);
    const answer = await this.http.openStream(
      {
        path: '/v1/messages',
        headers: { ...this.headers(ctx.jobId), accept: 'text/event-stream' },
        body: JSON.stringify({ ...call.body, stream: true }),
        signal: ctx.signal,
      },
      classifyAnthropicError,
    );
    yield* readAnthropicStream(sseEvents(answer.body, this.name), {
      http: this.http,
      identity: { id: `msg-${ctx.jobId}`, model: ctx.model, created: Math.floor(Date.now() / 1000) },
      structuredOutputTool: call.structuredOutputTool,
    });
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private translate(request: ChatRequest, ctx: ProviderCallContext): AnthropicCall {
    try {
      return toAnthropicRequest(request, {
        model: ctx.model,
        defaultMaxTokens: ctx.modelInfo?.maxOutputTokens ?? FALLBACK_MAX_TOKENS,
        warn: ctx.warn,
      });
    } catch (error) {
      if (error instanceof AnthropicShapeError) throw new ProviderError('invalid_request', `${this.name}: ${error.message}`);
      throw error;
    }
  }

  private headers(jobId: string): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'anthropic-version': this.options.anthropic_version,
      // Not an Anthropic header (it ignores it): it ties the upstream call to its job in proxy and mock logs.
      'x-client-request-id': jobId,
    };
    if (this.options.anthropic_beta) headers['anthropic-beta'] = this.options.anthropic_beta.join(',');
    if (this.apiKey) headers['x-api-key'] = this.apiKey;
    return headers;
  }
}
