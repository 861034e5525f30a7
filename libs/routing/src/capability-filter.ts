import { Injectable } from '@nestjs/common';
import { SwitchyardConfig, type ModelTarget, type ProviderConfig } from '@switchyard/config';
import type { ChatRequest, EmbeddingRequest, JobRequest } from '@switchyard/contracts';
import { ModelRegistry, chatTokensUpperBound, countChatTokens, countLongestInput, featuresUsed, providerFamily, unsupportedFeatures, type ChatFeature } from '@switchyard/providers';

/** Why a target cannot take a request. `context` is kept apart: it has its own well-known error code. */
export interface Unfit {
  kind: 'capability' | 'context';
  reason: string;
  param: string;
}

/** Registry capability a request feature needs, when the registry knows the model. */
const CAPABILITY_OF: Partial<Record<ChatFeature, string>> = { tools: 'tools', images: 'vision', json_schema: 'json_schema' };

/**
 * Decides at submit time whether a target can take a request, so a job that could only fail on a
 * target is never sent there, and one that fits nowhere is refused before it is queued (and paid for).
 */
@Injectable()
export class CapabilityFilter {
  constructor(
    private readonly config: SwitchyardConfig,
    private readonly registry: ModelRegistry,
  ) {}

  unfit(request: JobRequest, target: ModelTarget): Unfit | null {
    return request.type === 'embedding' ? this.unfitForEmbedding(request, target) : this.unfitForChat(request, target);
  }

  private unfitForChat(request: ChatRequest, target: ModelTarget): Unfit | null {
    const provider = this.provider(target);
    const family = providerFamily(provider.type);
    const { reject } = unsupportedFeatures(request, family.chatFeaturesFor?.(provider) ?? family.chatFeatures, provider.unsupportedParams);
    if (reject.length > 0) return { kind: 'capability', reason: `${target.provider} does not support ${reject.join(', ')}`, param: reject[0] };
    const info = this.registry.lookup(target.model);
    const missing = featuresUsed(request).filter((feature) => {
      const capability = CAPABILITY_OF[feature];
      return capability !== undefined && info !== undefined && !info.capabilities.includes(capability);
    });
    if (missing.length > 0) return { kind: 'capability', reason: `${target.model} does not support ${missing.join(', ')}`, param: missing[0] };
    const contextWindow = info?.contextWindow;
    if (contextWindow === undefined || chatTokensUpperBound(request) <= contextWindow) return null;
    const { tokens, exact } = countChatTokens(request, target.model);
    if (tokens <= contextWindow) return null;
    return {
      kind: 'context',
      reason: `${target.model}'s maximum context length is ${contextWindow} tokens; the messages have ${exact ? '' : 'about '}${tokens}`,
      param: 'messages',
    };
  }

  private unfitForEmbedding(request: EmbeddingRequest, target: ModelTarget): Unfit | null {
    if (!providerFamily(this.provider(target).type).embeddings) {
      return { kind: 'capability', reason: `${target.provider} has no embeddings API`, param: 'model' };
    }
    const contextWindow = this.registry.lookup(target.model)?.contextWindow;
    const inputs = typeof request.input === 'string' ? [request.input] : request.input;
    // As for chat: a token is at least a byte, so short inputs need no tokenizer.
    if (contextWindow === undefined || inputs.every((input) => Buffer.byteLength(input) <= contextWindow)) return null;
    const { tokens, exact } = countLongestInput(request.input, target.model);
    if (tokens <= contextWindow) return null;
    return {
      kind: 'context',
      reason: `${target.model}'s maximum input length is ${contextWindow} tokens; an input has ${exact ? '' : 'about '}${tokens}`,
      param: 'input',
    };
  }

  private provider(target: ModelTarget): ProviderConfig {
    const provider = this.config.providers.get(target.provider);
    if (!provider) throw new Error(`model target names unknown provider '${target.provider}'`);
    return provider;
  }
}
