import type { ProviderConfig } from '@switchyard/config';
import { z } from 'zod';
import { parseFamilyOptions } from '../params/family-options';

/** The API version every request is written for; its request and response shapes are what this folder speaks. */
export const ANTHROPIC_VERSION = '2023-06-01';

const optionsSchema = z.strictObject({
  /** Sent as `anthropic-version`; only for a proxy that pins another one. */
  anthropic_version: z.string().min(1).default(ANTHROPIC_VERSION),
  /** Sent as `anthropic-beta` (comma-joined), to opt into beta features of the API. */
  anthropic_beta: z.array(z.string().min(1)).min(1).optional(),
});

export type AnthropicOptions = z.infer<typeof optionsSchema>;

/** Validated once at boot; the message names the offending key, e.g. `providers.claude.options.anthropic_beta: ...`. */
export function parseAnthropicOptions(config: ProviderConfig): AnthropicOptions {
  return parseFamilyOptions(optionsSchema, config);
}
