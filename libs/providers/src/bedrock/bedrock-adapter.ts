import type { ProviderConfig } from '@switchyard/config';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingRequest, EmbeddingResponse } from '@switchyard/contracts';
import { ProviderHttpClient, type HttpAnswer, type HttpCall } from '../http/provider-http-client';
import { applyParamPolicy, type ChatFeature } from '../params/param-policy';
import type { ProviderAdapter, ProviderCallContext } from '../provider-adapter';
import { ProviderError } from '../provider-error';
import { embeddingCodec, embeddingResponse, type EmbeddingBatch } from './bedrock-embeddings';
import { classifyBedrockError } from './bedrock-errors';
import { bedrockOptions } from './bedrock-options';
import { converseRequest, type ConverseRequestBody } from './bedrock-request';
import { normalizeConverseResponse } from './bedrock-response';
import { BedrockSigner } from './bedrock-signer';
import { readConverseStream } from './bedrock-stream';
import { eventStreamMessages } from '../stream/event-stream-messages';

/** What Converse can express; seed, n, penalties, user, parallel_tool_calls and json_object it cannot. */
export const BEDROCK_CHAT_FEATURES: ReadonlySet<ChatFeature> = new Set<ChatFeature>([
  'temperature', 'top_p', 'max_tokens', 'stop', 'tools', 'tool_choice', 'json_schema', 'images',
]);

const EVENT_STREAM = 'application/vnd.amazon.eventstream';

function requestId(answer: Pick<HttpAnswer, 'headers'>): string | undefined {
  const value = answer.headers['x-amzn-requestid'];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Amazon Bedrock Runtime: chat through the Converse API (one request shape for every model that
 * supports messages), embeddings through InvokeModel with each model family's own body. Every
 * request is signed with AWS Signature Version 4.
 */
export class BedrockAdapter implements ProviderAdapter {
  readonly type = 'bedrock';
  readonly name: string;
  private readonly http: ProviderHttpClient;
  private readonly signer: BedrockSigner;
  private readonly host: string;

  constructor(private readonly config: ProviderConfig) {
    this.name = config.name;
    const options = bedrockOptions(config);
    const baseUrl = config.baseUrl ?? `https://bedrock-runtime.${options.region}.amazonaws.com`;
    this.host = new URL(baseUrl).host;
    this.signer = new BedrockSigner(options);
    this.http = ProviderHttpClient.forProvider(config, baseUrl, [options.secretAccessKey, options.sessionToken]);
  }

  async generate(request: ChatRequest, ctx: ProviderCallContext): Promise<ChatCompletion> {
    const body = this.converseBody(request, ctx);
    const { json, answer } = await this.post(`/model/${encodeURIComponent(ctx.model)}/converse`, body, ctx);
    const completion = normalizeConverseResponse(json, {
      id: `chatcmpl-${requestId(answer) ?? ctx.jobId}`,
      model: ctx.model,
      created: Math.floor(Date.now() / 1000),
    });
    if (!completion) throw this.http.badResponse(answer, 'a body that is not a Converse response');
    return completion;
  }

  /** ConverseStream: the Converse body, answered as an AWS event stream. */
  async *stream(request: ChatRequest, ctx: ProviderCallContext): AsyncGenerator<ChatCompletionChunk> {
    const body = this.converseBody(request, ctx);
    const call = await this.signedCall(`/model/${encodeURIComponent(ctx.model)}/converse-stream`, body, ctx, EVENT_STREAM);
    const answer = await this.http.openStream(call, classifyBedrockError);
    yield* readConverseStream(eventStreamMessages(answer.body, this.name), {
      http: this.http,
      identity: { id: `chatcmpl-${requestId(answer) ?? ctx.jobId}`, model: ctx.model, created: Math.floor(Date.now() / 1000) },
    });
  }

  async embed(request: EmbeddingRequest, ctx: ProviderCallContext): Promise<EmbeddingResponse> {
    const codec = embeddingCodec(ctx.model, request, this.name);
    const inputs = typeof request.input === 'string' ? [request.input] : request.input;
    if (inputs.length === 0) throw new ProviderError('invalid_request', `${this.name}: input must not be empty`);
    const batches: EmbeddingBatch[] = [];
    // One call after the other: Titan takes one text per call, and a failure stops the rest.
    for (const body of codec.bodies(inputs)) {
      const { json, answer } = await this.post(`/model/${encodeURIComponent(ctx.model)}/invoke`, body, ctx);
      const batch = codec.read(json, answer.headers);
      if (!batch) throw this.http.badResponse(answer, 'a body that is not an embedding');
      batches.push(batch);
    }
    const response = embeddingResponse(batches, request, ctx.model);
    if (response.data.length !== inputs.length) {
      throw new ProviderError('bad_response', `${this.name} returned ${response.data.length} embeddings for ${inputs.length} inputs`);
    }
    return response;
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private converseBody(request: ChatRequest, ctx: ProviderCallContext): ConverseRequestBody {
    const allowed = applyParamPolicy(request, this.name, BEDROCK_CHAT_FEATURES, this.config.unsupportedParams, ctx.warn);
    return converseRequest(allowed, {
      provider: this.name,
      urlImages: this.config.unsupportedParams === 'drop' ? 'drop' : 'reject',
      warn: ctx.warn,
    });
  }

  private async post(path: string, body: unknown, ctx: ProviderCallContext): Promise<{ json: unknown; answer: HttpAnswer }> {
    return this.http.json(await this.signedCall(path, body, ctx, 'application/json'), classifyBedrockError);
  }

  /** Signs exactly what is sent: the full path (base path included), host and body. */
  private async signedCall(path: string, body: unknown, ctx: ProviderCallContext, accept: string): Promise<HttpCall> {
    const text = JSON.stringify(body);
    const headers = await this.signer.sign({
      method: 'POST',
      host: this.host,
      path: this.http.pathFor(path),
      // The AWS SDKs' per-call id header, carrying the job id so one job's calls can be traced.
      headers: { 'content-type': 'application/json', accept, 'amz-sdk-invocation-id': ctx.jobId },
      body: text,
    });
    return { path, headers, body: text, signal: ctx.signal };
  }
}
