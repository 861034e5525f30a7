import type { ProviderFamily } from '../provider-families';
import { GeminiAdapter } from './gemini-adapter';
import { GEMINI_CHAT_FEATURES } from './gemini-features';

export const GEMINI_FAMILY: ProviderFamily = {
  create: (config) => new GeminiAdapter(config),
  chatFeatures: GEMINI_CHAT_FEATURES,
  embeddings: true,
};
