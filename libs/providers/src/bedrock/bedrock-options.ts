import type { ProviderConfig } from '@switchyard/config';
import { z } from 'zod';
import { parseFamilyOptions } from '../params/family-options';

const string = z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });
const nonEmpty = string.min(1, { error: 'must not be empty' });

const optionsSchema = z.strictObject({
  region: nonEmpty.regex(/^[a-z0-9-]+$/, { error: 'must be an AWS region name such as us-east-1' }),
  access_key_id: nonEmpty,
  secret_access_key: nonEmpty,
  // Empty counts as absent, so `${AWS_SESSION_TOKEN:-}` works with long-term keys too.
  session_token: string.optional(),
});

/** What a Bedrock provider needs beyond the common provider settings: where, and as whom. */
export interface BedrockOptions {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Reads `providers.<name>.options`; the error names the key path, never a value. */
export function bedrockOptions(config: ProviderConfig): BedrockOptions {
  const { region, access_key_id, secret_access_key, session_token } = parseFamilyOptions(optionsSchema, config);
  return { region, accessKeyId: access_key_id, secretAccessKey: secret_access_key, sessionToken: session_token || undefined };
}
