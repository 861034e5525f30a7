import type { ProviderConfig } from '@switchyard/config';
import { z } from 'zod';

/** Strict, so that a misspelt option fails at boot instead of being ignored. */
const optionsSchema = z.strictObject({
  /** The REST version path; v1beta is where systemInstruction, tools and the JSON Schema fields live. */
  api_version: z.enum(['v1beta', 'v1']).default('v1beta'),
});

export interface GeminiOptions {
  apiVersion: 'v1beta' | 'v1';
}

export function readGeminiOptions(config: ProviderConfig): GeminiOptions {
  const parsed = optionsSchema.safeParse(config.options);
  if (parsed.success) return { apiVersion: parsed.data.api_version };
  const issue = parsed.error.issues[0];
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : issue.path.map(String);
  const where = ['providers', config.name, 'options', ...keys].join('.');
  const problem = issue.code === 'unrecognized_keys' ? `is not a Gemini option (known: ${Object.keys(optionsSchema.shape).join(', ')})` : issue.message;
  throw new Error(`${where}: ${problem}`);
}
