import type { ProviderConfig } from '@switchyard/config';
import type { ChatRequest, EmbeddingRequest } from '@switchyard/contracts';
import type { ErrorReading, HttpAnswer } from '../http/provider-http-client';
import { OpenAIAdapter } from '../openai/openai-adapter';
import { AZURE_OPENAI_CHAT_FEATURES } from './azure-openai-features';
import { classifyAzureOpenAIError } from './azure-openai-error';
import { parseAzureOpenAIOptions, type AzureOpenAIOptions } from './azure-openai-options';
import { toAzureChatBody, toAzureEmbeddingsBody } from './azure-openai-request';

/**
 * Azure OpenAI: OpenAI's bodies and responses, sent to a resource endpoint per deployment
 * (`/openai/deployments/{deployment}/...?api-version=...`) with Azure's own auth header.
 */
export class AzureOpenAIAdapter extends OpenAIAdapter {
  override readonly type: string = 'azure-openai';
  private readonly options: AzureOpenAIOptions;

  constructor(config: ProviderConfig) {
    const options = parseAzureOpenAIOptions(config);
    super(config, { baseUrl: options.endpoint, chatFeatures: AZURE_OPENAI_CHAT_FEATURES });
    this.options = options;
  }

  protected override chatPath(model: string): string {
    return this.deploymentPath(model, 'chat/completions');
  }

  protected override embeddingsPath(model: string): string {
    return this.deploymentPath(model, 'embeddings');
  }

  protected override chatBody(request: ChatRequest): Record<string, unknown> {
    return toAzureChatBody(request);
  }

  protected override embeddingsBody(request: EmbeddingRequest): Record<string, unknown> {
    return toAzureEmbeddingsBody(request);
  }

  protected override classifyError(answer: HttpAnswer): ErrorReading {
    return classifyAzureOpenAIError(answer);
  }

  protected override headers(jobId: string): Record<string, string> {
    const { authorization: _bearer, ...headers } = super.headers(jobId);
    if (!this.apiKey) return headers;
    if (this.options.auth === 'entra') headers.authorization = `Bearer ${this.apiKey}`;
    else headers['api-key'] = this.apiKey;
    return headers;
  }

  private deploymentPath(model: string, operation: string): string {
    const deployment = Object.hasOwn(this.options.deployments, model) ? this.options.deployments[model] : model;
    return `/openai/deployments/${encodeURIComponent(deployment)}/${operation}?api-version=${encodeURIComponent(this.options.api_version)}`;
  }
}
