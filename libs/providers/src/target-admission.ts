import { Injectable } from '@nestjs/common';
import { SwitchyardConfig, type ModelTarget } from '@switchyard/config';
import { InvalidRequestError, type ChatRequest, type EmbeddingRequest } from '@switchyard/contracts';
import { unsupportedFeatures } from './params/param-policy';
import { providerFamily } from './provider-families';
import { ModelRegistry } from './registry/model-registry';
import { chatTokensUpperBound, countChatTokens, countLongestInput } from './tokens/token-counter';

/**
 * Checks at submit time that a target can take a request, so a job that could only fail is
 * refused with a 400 before it is queued (and paid for).
 */
@Injectable()
export class TargetAdmission {
  constructor(
    private readonly config: SwitchyardConfig,
    private readonly registry: ModelRegistry,
  ) {}

  checkChat(request: ChatRequest, target: ModelTarget): void {
    const provider = this.provider(target);
    const family = providerFamily(provider.type);
    const features = family.chatFeaturesFor?.(provider) ?? family.chatFeatures;
    const { reject } = unsupportedFeatures(request, features, provider.unsupportedParams);
    if (reject.length > 0) {
      throw new InvalidRequestError(`The provider behind this model does not support: ${reject.join(', ')}.`, reject[0], 'unsupported_parameter');
    }
    const contextWindow = this.registry.lookup(target.model)?.contextWindow;
    if (contextWindow === undefined || chatTokensUpperBound(request) <= contextWindow) return;
    const { tokens, exact } = countChatTokens(request, target.model);
    if (tokens > contextWindow) {
      throw new InvalidRequestError(
        `This model's maximum context length is ${contextWindow} tokens; the messages have ${exact ? '' : 'about '}${tokens}.`,
        'messages',
        'context_length_exceeded',
      );
    }
  }

  checkEmbedding(request: EmbeddingRequest, target: ModelTarget): void {
    const provider = this.provider(target);
    if (!providerFamily(provider.type).embeddings) {
      throw new InvalidRequestError(`The provider behind '${request.model}' has no embeddings API.`, 'model', 'unsupported_model');
    }
    const contextWindow = this.registry.lookup(target.model)?.contextWindow;
    const inputs = typeof request.input === 'string' ? [request.input] : request.input;
    // As for chat: a token is at least a byte, so short inputs need no tokenizer.
    if (contextWindow === undefined || inputs.every((input) => Buffer.byteLength(input) <= contextWindow)) return;
    const { tokens, exact } = countLongestInput(request.input, target.model);
    if (tokens > contextWindow) {
      throw new InvalidRequestError(
        `This model's maximum input length is ${contextWindow} tokens; an input has ${exact ? '' : 'about '}${tokens}.`,
        'input',
        'context_length_exceeded',
      );
    }
  }

  private provider(target: ModelTarget) {
    const provider = this.config.providers.get(target.provider);
    if (!provider) throw new Error(`model target names unknown provider '${target.provider}'`);
    return provider;
  }
}
