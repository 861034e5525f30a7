import type { ProviderFamily } from '../provider-families';
import { BEDROCK_CHAT_FEATURES, BedrockAdapter } from './bedrock-adapter';

export const BEDROCK_FAMILY: ProviderFamily = {
  create: (config) => new BedrockAdapter(config),
  chatFeatures: BEDROCK_CHAT_FEATURES,
  embeddings: true,
};
