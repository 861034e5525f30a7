import { ALL_CHAT_FEATURES } from '../params/all-features';
import type { ProviderFamily } from '../provider-families';
import { OpenAICompatibleAdapter } from './openai-compatible-adapter';
import { resolveCompatibleSettings } from './openai-compatible-options';

/** The family's set is the union over its presets; admission at submit uses each provider's preset. */
export const OPENAI_COMPATIBLE_FAMILY: ProviderFamily = {
  create: (config) => new OpenAICompatibleAdapter(config),
  chatFeatures: ALL_CHAT_FEATURES,
  chatFeaturesFor: (config) => resolveCompatibleSettings(config).chatFeatures,
  embeddings: true,
};
