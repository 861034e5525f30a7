import type { ApiKeyConfig } from '@switchyard/config';

/** What the gateway knows of a key, from the config file or created at run time; never the key itself. */
export interface KeySettings extends Omit<ApiKeyConfig, 'sha256'> {
  readonly source: 'config' | 'runtime';
}

/** A run-time key as stored in Redis (JSON in the `api-keys` hash). */
export interface StoredApiKey {
  name: string;
  /** SHA-256 of the key, hex. */
  sha256: string;
  /** `sk-sy-…` and the last 4 characters, so an operator can tell keys apart. */
  hint: string;
  scopes: string[];
  weight: number;
  limits: { rpm?: number; max_waiting?: number; tokens_per_day?: number };
  monthly_budget_usd?: number;
  /** `secret`: sealed with auth.secrets_key (WebhookSecretVault); absent when none was configured at creation. */
  webhook: { url?: string; secret?: string };
  /** Unix ms. */
  created_at: number;
  /** Unix ms; a revoked key stays stored so its name is never given to someone else's jobs. */
  revoked_at: number | null;
}

/** `webhookSecret`: the stored secret opened (WebhookSecretVault), for the settings that sign deliveries. */
export function settingsOf(stored: StoredApiKey, webhookSecret?: string): KeySettings {
  return {
    name: stored.name,
    source: 'runtime',
    scopes: stored.scopes,
    weight: stored.weight,
    limits: {
      ...(stored.limits.rpm !== undefined && { rpm: stored.limits.rpm }),
      ...(stored.limits.max_waiting !== undefined && { maxWaiting: stored.limits.max_waiting }),
      ...(stored.limits.tokens_per_day !== undefined && { tokensPerDay: stored.limits.tokens_per_day }),
    },
    ...(stored.monthly_budget_usd !== undefined && { monthlyBudgetUsd: stored.monthly_budget_usd }),
    webhook: { ...(stored.webhook.url !== undefined && { url: stored.webhook.url }), secrets: webhookSecret === undefined ? [] : [{ secret: webhookSecret }] },
  };
}

/** `GET /admin/keys` entries: everything about a key except the key and its webhook secret. */
export interface ApiKeyView {
  object: 'api_key';
  name: string;
  source: 'config' | 'runtime';
  status: 'active' | 'revoked';
  scopes: readonly string[];
  weight: number;
  limits: { rpm: number | null; tokens_per_day: number | null; max_waiting: number | null };
  monthly_budget_usd: number | null;
  webhook_url: string | null;
  key_hint: string | null;
  /** Unix seconds; null for config keys. */
  created_at: number | null;
  revoked_at: number | null;
}

export function viewOf(settings: KeySettings, stored?: StoredApiKey): ApiKeyView {
  const seconds = (ms: number | null | undefined) => (ms == null ? null : Math.floor(ms / 1000));
  return {
    object: 'api_key',
    name: settings.name,
    source: settings.source,
    status: stored?.revoked_at ? 'revoked' : 'active',
    scopes: settings.scopes,
    weight: settings.weight,
    limits: { rpm: settings.limits.rpm ?? null, tokens_per_day: settings.limits.tokensPerDay ?? null, max_waiting: settings.limits.maxWaiting ?? null },
    monthly_budget_usd: settings.monthlyBudgetUsd ?? null,
    webhook_url: settings.webhook.url ?? null,
    key_hint: stored?.hint ?? null,
    created_at: seconds(stored?.created_at),
    revoked_at: seconds(stored?.revoked_at),
  };
}
