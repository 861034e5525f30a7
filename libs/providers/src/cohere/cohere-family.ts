import type { ProviderFamily } from '../provider-families';
import { CohereAdapter } from './cohere-adapter';
import { COHERE_CHAT_FEATURES } from './cohere-features';

export const COHERE_FAMILY: ProviderFamily = {
  create: (config) => new CohereAdapter(config),
  chatFeatures: COHERE_CHAT_FEATURES,
  embeddings: true,
};
