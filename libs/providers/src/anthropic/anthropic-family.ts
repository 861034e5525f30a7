import type { ProviderFamily } from '../provider-families';
import { AnthropicAdapter } from './anthropic-adapter';
import { ANTHROPIC_CHAT_FEATURES } from './anthropic-features';

/** Anthropic has no embeddings API (it points to third parties for them). */
export const ANTHROPIC_FAMILY: ProviderFamily = {
  create: (config) => new AnthropicAdapter(config),
  chatFeatures: ANTHROPIC_CHAT_FEATURES,
  embeddings: false,
};
