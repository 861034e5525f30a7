import type { ProviderConfig } from '@switchyard/config';
import type { ChatRequest, EmbeddingRequest } from '@switchyard/contracts';
import type { ErrorReading, HttpAnswer } from '../http/provider-http-client';
import { OpenAIAdapter } from '../openai/openai-adapter';
import type { ProviderCallContext } from '../provider-adapter';
import { classifyCompatibleError } from './openai-compatible-error';
import { resolveCompatibleSettings, type CompatibleSettings } from './openai-compatible-options';
import { toCompatibleChatBody, toCompatibleEmbeddingsBody } from './openai-compatible-request';

/**
 * A server speaking OpenAI's wire format with quirks of its own (vLLM, Ollama's /v1, Groq,
 * Together, Fireworks, DeepSeek, OpenRouter, Mistral), chosen by `options.preset`.
 */
export class OpenAICompatibleAdapter extends OpenAIAdapter {
  override readonly type: string = 'openai-compatible';
  private readonly settings: CompatibleSettings;

  constructor(config: ProviderConfig) {
    const settings = resolveCompatibleSettings(config);
    super(config, { baseUrl: settings.baseUrl, chatFeatures: settings.chatFeatures });
    this.settings = settings;
  }

  protected override chatBody(request: ChatRequest, ctx: ProviderCallContext): Record<string, unknown> {
    return toCompatibleChatBody(request, ctx, this.name, this.settings);
  }

  protected override streamFields(): Record<string, unknown> {
    return this.settings.streamOptions ? super.streamFields() : { stream: true };
  }

  protected override embeddingsBody(request: EmbeddingRequest, ctx: ProviderCallContext): Record<string, unknown> {
    return toCompatibleEmbeddingsBody(request, ctx, this.name, this.settings);
  }

  protected override classifyError(answer: HttpAnswer): ErrorReading {
    return classifyCompatibleError(answer);
  }

  protected override headers(jobId: string): Record<string, string> {
    return { ...super.headers(jobId), ...this.settings.headers };
  }
}
