import { ALL_CHAT_FEATURES } from '../params/all-features';
import type { ProviderFamily } from '../provider-families';
import { OpenAIAdapter } from './openai-adapter';

export const OPENAI_FAMILY: ProviderFamily = {
  create: (config) => new OpenAIAdapter(config),
  chatFeatures: ALL_CHAT_FEATURES,
  embeddings: true,
};
