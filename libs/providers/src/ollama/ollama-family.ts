import type { ProviderFamily } from '../provider-families';
import { OllamaAdapter } from './ollama-adapter';
import { OLLAMA_CHAT_FEATURES } from './ollama-features';

export const OLLAMA_FAMILY: ProviderFamily = {
  create: (config) => new OllamaAdapter(config),
  chatFeatures: OLLAMA_CHAT_FEATURES,
  embeddings: true,
};
