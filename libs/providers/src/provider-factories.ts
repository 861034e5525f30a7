import type { ProviderConfig } from '@switchyard/config';
import { MockAdapter } from './mock/mock-adapter';
import { OpenAIAdapter } from './openai/openai-adapter';
import type { ProviderAdapter } from './provider-adapter';

export type ProviderFactory = (config: ProviderConfig) => ProviderAdapter;

/** One line per provider family, keyed by the `type` a provider is configured with. */
export const PROVIDER_FACTORIES: Readonly<Record<string, ProviderFactory>> = {
  mock: (config) => new MockAdapter(config),
  openai: (config) => new OpenAIAdapter(config),
};

export function createProviderAdapter(config: ProviderConfig): ProviderAdapter {
  const factory = Object.hasOwn(PROVIDER_FACTORIES, config.type) ? PROVIDER_FACTORIES[config.type] : undefined;
  if (!factory) {
    const known = Object.keys(PROVIDER_FACTORIES).join(', ');
    throw new Error(`providers.${config.name}: unknown type '${config.type}' (known: ${known})`);
  }
  return factory(config);
}
