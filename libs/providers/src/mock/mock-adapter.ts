import type { ProviderConfig } from '@switchyard/config';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingRequest, EmbeddingResponse } from '@switchyard/contracts';
import { kindForHttpError } from '../http-error-kind';
import type { ProviderAdapter, ProviderCallContext } from '../provider-adapter';
import { ProviderError } from '../provider-error';
import { MockDirectiveError, mockCompletion, readMockRequest, type MockDirective } from './mock-completion';
import { mockEmbeddings } from './mock-embeddings';
import { mockFailure } from './mock-failure';
import { mockCompletionStream } from './mock-stream';
import { mockWait } from './mock-wait';

function defaultLatency(config: ProviderConfig): number {
  const value = config.options.delay_ms;
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`providers.${config.name}.options.delay_ms must be a non-negative number`);
  }
  return value;
}

/**
 * An in-process provider with no network: answers like apps/mock-provider (same `#mock{...}`
 * directive, same replies, same failures), deterministically, so it serves tests, demos and the
 * zero-config standalone mode. Random failures (`error_rate`) are left to apps/mock-provider.
 */
export class MockAdapter implements ProviderAdapter {
  readonly type = 'mock';
  readonly name: string;
  private readonly latencyMs: number;

  constructor(config: ProviderConfig) {
    this.name = config.name;
    this.latencyMs = defaultLatency(config);
  }

  async generate(request: ChatRequest, ctx: ProviderCallContext): Promise<ChatCompletion> {
    await this.answerOrFail(request, ctx);
    return mockCompletion(request, ctx.model);
  }

  /** The same answer in word chunks; the directive's `stream_*` faults strike mid-stream. */
  async *stream(request: ChatRequest, ctx: ProviderCallContext): AsyncGenerator<ChatCompletionChunk> {
    const directive = await this.answerOrFail(request, ctx);
    yield* mockCompletionStream(mockCompletion(request, ctx.model), directive, ctx.signal, this.name);
  }

  async embed(request: EmbeddingRequest, ctx: ProviderCallContext): Promise<EmbeddingResponse> {
    try {
      await mockWait(this.latencyMs, ctx.signal);
    } catch {
      throw new ProviderError('canceled', `${this.name}: call canceled`);
    }
    return mockEmbeddings(request, ctx.model);
  }

  async close(): Promise<void> {}

  /** Waits the directive's latency (or forever, for `hang`), then fails with its status or its body fault if it has one. */
  private async answerOrFail(request: ChatRequest, ctx: ProviderCallContext): Promise<MockDirective> {
    const directive = this.directiveOf(request);
    try {
      await mockWait(directive.hang ? 'forever' : (directive.latency_ms ?? this.latencyMs), ctx.signal);
    } catch {
      throw new ProviderError('canceled', `${this.name}: call canceled`);
    }
    if (directive.status !== undefined) throw this.failure(directive, directive.status);
    // The errors the HTTP adapters read these two faults as, so a job fails alike on either mock.
    if (directive.reset) throw new ProviderError('network', `${this.name} unreachable: the mock was told to reset the connection`);
    if (directive.malformed_json) throw new ProviderError('bad_response', `${this.name} answered 200 with a body that is not JSON`, { status: 200 });
    return directive;
  }

  private directiveOf(request: ChatRequest): MockDirective {
    try {
      return readMockRequest(request).directive;
    } catch (error) {
      if (error instanceof MockDirectiveError) {
        throw new ProviderError('invalid_request', `${this.name} answered 400: ${error.message}`, { status: 400 });
      }
      throw error;
    }
  }

  private failure(directive: MockDirective, status: number): ProviderError {
    const { body } = mockFailure(status, { retryAfterS: directive.retry_after_s, code: directive.error_code });
    return new ProviderError(kindForHttpError(status, body.error.code), `${this.name} answered ${status}: ${body.error.message}`, {
      status,
      retryAfterMs: status === 429 && directive.retry_after_s !== undefined ? Math.round(directive.retry_after_s * 1000) : undefined,
      body: JSON.stringify(body),
    });
  }
}
