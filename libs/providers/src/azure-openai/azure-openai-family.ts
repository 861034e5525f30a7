import type { ProviderFamily } from '../provider-families';
import { AzureOpenAIAdapter } from './azure-openai-adapter';
import { AZURE_OPENAI_CHAT_FEATURES } from './azure-openai-features';

export const AZURE_OPENAI_FAMILY: ProviderFamily = {
  create: (config) => new AzureOpenAIAdapter(config),
  chatFeatures: AZURE_OPENAI_CHAT_FEATURES,
  embeddings: true,
};
