import type { ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingRequest, EmbeddingResponse } from '@switchyard/contracts';
import type { ModelInfo } from './registry/model-info';

/** What a worker hands an adapter for one call. */
export interface ProviderCallContext {
  /** The upstream model id chosen by routing (the request's `model` is the public name). */
  readonly model: string;
  /** Aborted when the job is canceled or the worker shuts down; adapters must abort their HTTP call. */
  readonly signal: AbortSignal;
  readonly jobId: string;
  /** What the registry knows of the model (limits, capabilities), when it knows it. */
  readonly modelInfo?: ModelInfo;
  /** Records a note on the job's attempt, e.g. a parameter the provider could not honour and that was dropped. */
  warn(message: string): void;
}

/**
 * The contract every provider family implements (one folder per family under libs/providers).
 * Adapters translate the normalized OpenAI-shaped request to their wire format and back, and
 * throw only ProviderError.
 */
export interface ProviderAdapter {
  /** The configured provider name (`providers.<name>`), also the queue it serves. */
  readonly name: string;
  /** The provider family (`mock`, `openai`, `anthropic`, ...). */
  readonly type: string;
  generate(request: ChatRequest, ctx: ProviderCallContext): Promise<ChatCompletion>;
  /**
   * The same call, streamed: normalized chunks as the provider sends them, ending with the finish
   * chunk and (whenever the provider reports usage) a usage chunk with empty `choices`. No chunk is
   * yielded for the role alone: the first one carries the first token (or the finish). Every
   * failure, before or after the first chunk, is a thrown ProviderError; the caller decides
   * whether it may still fall back (only while nothing was sent to the client). `timeoutMs` bounds
   * the silence between chunks, not the whole stream.
   */
  stream(request: ChatRequest, ctx: ProviderCallContext): AsyncIterable<ChatCompletionChunk>;
  /** Present for families with an embeddings API. */
  embed?(request: EmbeddingRequest, ctx: ProviderCallContext): Promise<EmbeddingResponse>;
  /** Releases pooled connections. */
  close(): Promise<void>;
}
