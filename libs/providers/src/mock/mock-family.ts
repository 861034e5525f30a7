import { ALL_CHAT_FEATURES } from '../params/all-features';
import type { ProviderFamily } from '../provider-families';
import { MockAdapter } from './mock-adapter';

export const MOCK_FAMILY: ProviderFamily = {
  create: (config) => new MockAdapter(config),
  chatFeatures: ALL_CHAT_FEATURES,
  embeddings: true,
};
