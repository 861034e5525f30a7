import type { ProviderConfig } from '@switchyard/config';
import { z } from 'zod';
import { parseFamilyOptions } from '../params/family-options';

/** Strict, so that a misspelt option fails at boot instead of being ignored. */
const optionsSchema = z.strictObject({
  /** The REST version path; v1beta is where systemInstruction, tools and the JSON Schema fields live. */
  api_version: z.enum(['v1beta', 'v1']).default('v1beta'),
});

export interface GeminiOptions {
  apiVersion: 'v1beta' | 'v1';
}

export function readGeminiOptions(config: ProviderConfig): GeminiOptions {
  return { apiVersion: parseFamilyOptions(optionsSchema, config).api_version };
}
