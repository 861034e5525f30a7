import { ALL_CHAT_FEATURES } from '../params/all-features';
import type { ProviderFamily } from '../provider-families';
import { OpenAICompatibleAdapter } from './openai-compatible-adapter';

/**
 * The family's sets are the union over its presets (a family has one set, a preset is per
 * provider): each adapter applies its own preset's narrower set, so a request a preset cannot
 * express is refused or trimmed at call time rather than at submit.
 */
export const OPENAI_COMPATIBLE_FAMILY: ProviderFamily = {
  create: (config) => new OpenAICompatibleAdapter(config),
  chatFeatures: ALL_CHAT_FEATURES,
  embeddings: true,
};
