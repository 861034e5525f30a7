import type { ChatCompletion, ChatRequest } from '@switchyard/contracts';

/** What a worker hands an adapter for one call. */
export interface ProviderCallContext {
  /** The upstream model id chosen by routing (the request's `model` is the public name). */
  readonly model: string;
  /** Aborted when the job is canceled or the worker shuts down; adapters must abort their HTTP call. */
  readonly signal: AbortSignal;
  readonly jobId: string;
}

/**
 * The contract every provider family implements (one folder per family under libs/providers).
 * Adapters translate the normalized OpenAI-shaped request to their wire format and back, and
 * throw only ProviderError. Later issues add `stream(request, ctx)` and `embed(request, ctx)`.
 */
export interface ProviderAdapter {
  /** The configured provider name (`providers.<name>`), also the queue it serves. */
  readonly name: string;
  /** The provider family (`mock`, `openai`, ...). */
  readonly type: string;
  generate(request: ChatRequest, ctx: ProviderCallContext): Promise<ChatCompletion>;
  /** Releases pooled connections. */
  close(): Promise<void>;
}
