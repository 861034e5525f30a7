import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConflictError, InvalidRequestError, NotFoundError } from '@switchyard/contracts';
import { settingsOf, viewOf, type ApiKeyView, type StoredApiKey } from './api-key-record';
import { ANONYMOUS, ApiKeys } from './api-keys';
import type { CreateApiKeyDto } from './create-api-key.dto';
import { RuntimeKeyStore } from './runtime-key-store';
import { WebhookSecretVault } from './webhook-secret-vault';

const KEY_PREFIX = 'sk-sy-';

/** The only answer that ever holds the key and its webhook secret. */
export interface CreatedApiKey extends ApiKeyView {
  key: string;
  /** Null without auth.secrets_key: the gateway keeps no webhook secret it cannot seal. */
  webhook_secret: string | null;
}

/** `/admin/keys`: create, list, show and revoke run-time keys; config keys are listed, never changed. */
@Injectable()
export class ApiKeyAdmin {
  constructor(
    private readonly keys: ApiKeys,
    private readonly store: RuntimeKeyStore,
    private readonly secrets: WebhookSecretVault,
  ) {}

  async create(dto: CreateApiKeyDto, now = Date.now()): Promise<CreatedApiKey> {
    if (this.keys.isConfigured(dto.name) || dto.name === ANONYMOUS) throw nameTaken(dto.name);
    // Deliveries are always signed, so a default destination needs a secret, and a secret needs sealing.
    if (dto.webhook && !this.secrets.canSeal) {
      throw new InvalidRequestError('A run-time key with a webhook needs a webhook secret, which the gateway keeps only encrypted: set auth.secrets_key (or SWITCHYARD_SECRETS_KEY) first.', 'webhook', 'secrets_key_missing');
    }
    // 256 random bits each; the key is stored only as its SHA-256, as config keys are.
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const webhookSecret = this.secrets.canSeal ? `whsec_${randomBytes(32).toString('base64')}` : null;
    const record: StoredApiKey = {
      name: dto.name,
      sha256: createHash('sha256').update(key).digest('hex'),
      hint: `${KEY_PREFIX}…${key.slice(-4)}`,
      scopes: [...new Set(dto.scopes ?? ['jobs'])],
      weight: dto.weight ?? 1,
      limits: { ...dto.limits },
      ...(dto.monthly_budget_usd !== undefined && { monthly_budget_usd: dto.monthly_budget_usd }),
      webhook: { ...(dto.webhook && { url: dto.webhook.url }), ...(webhookSecret !== null && { secret: this.secrets.seal(dto.name, webhookSecret) }) },
      created_at: now,
      revoked_at: null,
    };
    if (!(await this.store.create(record))) throw nameTaken(dto.name);
    return { ...viewOf(settingsOf(record), record), key, webhook_secret: webhookSecret };
  }

  async list(): Promise<ApiKeyView[]> {
    const fromConfig = await Promise.all(this.keys.configuredNames().map((name) => this.show(name)));
    const runtime = await this.store.list();
    return [...fromConfig, ...runtime.map((stored) => viewOf(settingsOf(stored), stored))];
  }

  async show(name: string): Promise<ApiKeyView> {
    const settings = await this.keys.find(name);
    if (!settings) throw unknownKey(name);
    return viewOf(settings, settings.source === 'runtime' ? await this.store.find(name) : undefined);
  }

  async revoke(name: string, now = Date.now()): Promise<ApiKeyView> {
    if (this.keys.isConfigured(name)) {
      throw new ConflictError(`The key '${name}' comes from the config file; remove it there (auth.keys) to revoke it.`, 'config_key');
    }
    const stored = await this.store.revoke(name, now);
    if (!stored) throw unknownKey(name);
    return viewOf(settingsOf(stored), stored);
  }
}

function nameTaken(name: string): ConflictError {
  return new ConflictError(`An API key named '${name}' exists or existed; names are never reused, so old jobs stay with their owner.`, 'key_name_taken');
}

function unknownKey(name: string): NotFoundError {
  return new NotFoundError(`No API key named '${name}'.`, 'api_key_not_found', 'name');
}
