import type { ProviderConfig } from '@switchyard/config';
import { z } from 'zod';
import { parseFamilyOptions } from '../params/family-options';

/**
 * The latest GA version of the dated data-plane inference API. Models released after it (o-series
 * reasoning models, for one) answer only to later preview versions: set `api_version` for those.
 */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

const optionsSchema = z.strictObject({
  /** Sent as the `api-version` query parameter Azure requires on every call. */
  api_version: z.string().min(1).default(DEFAULT_AZURE_API_VERSION),
  /** Model id (as routing names it) → deployment name; a model without an entry is its own deployment. */
  deployments: z.record(z.string(), z.string().min(1)).default({}),
  /** `api-key`: the key in the `api-key` header; `entra`: the configured api_key is a Microsoft Entra ID token, sent as a bearer token. */
  auth: z.enum(['api-key', 'entra']).default('api-key'),
});

export type AzureOpenAIOptions = z.infer<typeof optionsSchema>;

function fail(where: string, message: string): never {
  throw new Error(`${where}: ${message}`);
}

/** Validated once at boot; the message names the offending key, e.g. `providers.azure.options.auth: ...`. */
export function parseAzureOpenAIOptions(config: ProviderConfig): AzureOpenAIOptions & { endpoint: string } {
  if (!config.baseUrl) fail(`providers.${config.name}.base_url`, 'is required (the resource endpoint, https://<resource>.openai.azure.com)');
  return { ...parseFamilyOptions(optionsSchema, config), endpoint: config.baseUrl };
}
