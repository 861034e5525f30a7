import type { ProviderConfig } from '@switchyard/config';
import { ANTHROPIC_FAMILY } from './anthropic/anthropic-family';
import { AZURE_OPENAI_FAMILY } from './azure-openai/azure-openai-family';
import { BEDROCK_FAMILY } from './bedrock/bedrock-family';
import { COHERE_FAMILY } from './cohere/cohere-family';
import { GEMINI_FAMILY } from './gemini/gemini-family';
import { MOCK_FAMILY } from './mock/mock-family';
import { OLLAMA_FAMILY } from './ollama/ollama-family';
import { OPENAI_FAMILY } from './openai/openai-family';
import { OPENAI_COMPATIBLE_FAMILY } from './openai-compatible/openai-compatible-family';
import type { ChatFeature } from './params/param-policy';
import type { ProviderAdapter } from './provider-adapter';

/** What the gateway needs to know of a provider family before and while calling it. */
export interface ProviderFamily {
  create(config: ProviderConfig): ProviderAdapter;
  /** Request features the family's API can express; the rest fall under `unsupported_params`. */
  chatFeatures: ReadonlySet<ChatFeature>;
  /** For families whose features depend on a provider's options (openai-compatible presets). */
  chatFeaturesFor?(config: ProviderConfig): ReadonlySet<ChatFeature>;
  /** Whether the family has an embeddings API (the adapter then implements `embed`). */
  embeddings: boolean;
}

/** One line per provider family, keyed by the `type` a provider is configured with. */
export const PROVIDER_FAMILIES: Readonly<Record<string, ProviderFamily>> = {
  mock: MOCK_FAMILY,
  openai: OPENAI_FAMILY,
  'openai-compatible': OPENAI_COMPATIBLE_FAMILY,
  'azure-openai': AZURE_OPENAI_FAMILY,
  bedrock: BEDROCK_FAMILY,
  cohere: COHERE_FAMILY,
  ollama: OLLAMA_FAMILY,
  gemini: GEMINI_FAMILY,
  anthropic: ANTHROPIC_FAMILY,
};

export function providerFamily(type: string): ProviderFamily {
  const family = Object.hasOwn(PROVIDER_FAMILIES, type) ? PROVIDER_FAMILIES[type] : undefined;
  if (!family) throw new Error(`unknown provider type '${type}' (known: ${Object.keys(PROVIDER_FAMILIES).join(', ')})`);
  return family;
}

export function createProviderAdapter(config: ProviderConfig): ProviderAdapter {
  return providerFamily(config.type).create(config);
}
