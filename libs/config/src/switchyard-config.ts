import { inspect } from 'node:util';
import type { ProviderErrorKind, RoutingStrategy } from '@switchyard/contracts';

export interface ServerConfig {
  readonly host: string;
  /** False when the host is the default; an open gateway then binds 127.0.0.1 only. */
  readonly hostExplicit: boolean;
  readonly port: number;
  readonly bodyLimitBytes: number;
  readonly longPollMaxS: number;
  readonly interactiveWaitS: number;
  /** Interactive calls this API process runs itself when their queue has nothing waiting (docs/interactive.md). */
  readonly directCalls: number;
}

export interface RedisConfig {
  /** The standalone Redis; not used when `cluster` is set. */
  readonly url: string;
  /** Every key starts with it; on a cluster it is a hash tag (`{sy}`), so all keys share one slot. */
  readonly prefix: string;
  readonly cluster?: { readonly nodes: readonly string[] };
}

export interface ApiKeyConfig {
  readonly name: string;
  /** SHA-256 digest of the key (32 bytes); the plaintext is dropped at load. */
  readonly sha256: Buffer;
  readonly scopes: readonly string[];
  /** Share of a busy provider against other keys (weighted fair queuing); 1 by default. */
  readonly weight: number;
  readonly limits: TenantLimitsConfig;
  /** Cost (USD) this key may run up per calendar month (UTC); no budget when undefined. */
  readonly monthlyBudgetUsd?: number;
  readonly webhook: KeyWebhookConfig;
}

export interface WebhookSecret {
  /** `whsec_<base64>`. */
  readonly secret: string;
  /** A previous secret is still used until then (Unix ms); the current one has no end. */
  readonly untilMs?: number;
}

export interface KeyWebhookConfig {
  /** Default destination of this key's job events. */
  readonly url?: string;
  /** The current secret first; empty when the key has none (then webhooks are refused). */
  readonly secrets: readonly WebhookSecret[];
}

export interface WebhooksConfig {
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  /** Delay before each attempt, in seconds. */
  readonly retryScheduleS: readonly number[];
  /** CIDRs or hostnames a webhook may reach although private. */
  readonly allowPrivate: readonly string[];
  readonly concurrency: number;
  /** Deliveries in flight per receiver origin in one process; the rest wait a moment. */
  readonly concurrencyPerReceiver: number;
  readonly logTtlS: number;
}

export type CacheMode = 'auto' | 'always' | 'never';

export interface CacheRules {
  readonly mode?: CacheMode;
  readonly ttlS?: number;
}

export interface CacheConfig {
  readonly scope: 'key' | 'global';
  readonly mode: CacheMode;
  readonly ttlS: number;
}

/** Per API key, checked at the API. */
export interface TenantLimitsConfig {
  readonly rpm?: number;
  /** Jobs of this key not yet finished. */
  readonly maxWaiting?: number;
  readonly tokensPerDay?: number;
}

export interface RateLimitConfig {
  readonly rpm?: number;
  /** Weighed by the request's estimated prompt tokens plus its maximum output. */
  readonly tpm?: number;
  readonly concurrency?: number;
}

export interface ProviderLimitsConfig extends RateLimitConfig {
  /** 0..0.9: the share of each limit that bulk jobs may not use. */
  readonly interactiveReserve: number;
  /** Upstream model id → limits for that model on this provider. */
  readonly models: ReadonlyMap<string, RateLimitConfig>;
}

export interface CircuitBreakerConfig {
  readonly failureThreshold: number;
  readonly errorRate: number;
  readonly minRequests: number;
  readonly windowS: number;
  readonly cooldownS: number;
}

export interface ProviderConfig {
  readonly name: string;
  readonly type: string;
  readonly baseUrl?: string;
  readonly apiKey?: string;
  readonly timeoutMs: number;
  /** BullMQ concurrency of one worker process for this provider's queue. */
  readonly concurrency: number;
  /** Extra tries on the same target for retryable errors, before falling back. */
  readonly retries: number;
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
  readonly limits: ProviderLimitsConfig;
  readonly circuitBreaker: CircuitBreakerConfig;
  /** What to do with a parameter the provider cannot honour; undefined means the mixed default. */
  readonly unsupportedParams?: 'drop' | 'reject';
  readonly options: Readonly<Record<string, unknown>>;
}

/** A config entry for the model registry; every field overrides the built-in one. */
export interface ModelRegistryEntry {
  readonly contextWindow?: number;
  readonly maxOutputTokens?: number;
  readonly capabilities?: readonly string[];
  readonly inputPerMTok?: number;
  readonly outputPerMTok?: number;
  readonly cachedInputPerMTok?: number;
}

export interface ModelTarget {
  readonly provider: string;
  readonly model: string;
  /** For the `weighted` strategy; 1 by default. */
  readonly weight: number;
}

export type RateLimitPolicy = 'wait' | 'fallback';

export interface ModelConfig {
  readonly name: string;
  readonly ownedBy: string;
  readonly targets: readonly ModelTarget[];
  readonly strategy: RoutingStrategy;
  readonly aliases: readonly string[];
  /** Error kinds that end a job at once instead of falling back to the next target. */
  readonly failFast: ReadonlySet<ProviderErrorKind>;
  /** A provider 429: wait for its retry-after on the same target, or move on to the next. */
  readonly onRateLimit: RateLimitPolicy;
  /** Overrides of the global cache settings for this model. */
  readonly cache: CacheRules;
}

export interface RetentionConfig {
  readonly succeededS: number;
  /** Failed and expired jobs. */
  readonly failedS: number;
  readonly canceledS: number;
  readonly queueMaxCompleted: number;
  readonly queueMaxFailed: number;
}

export interface WorkerConfig {
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly maxStalledCount: number;
  readonly shutdownGraceMs: number;
  /** The worker process's /metrics, /healthz and /readyz port; 0 when off. */
  readonly healthPort: number;
}

export interface FilesConfig {
  /** Seconds a file is kept after it is created. */
  readonly ttlS: number;
  readonly maxBytes: number;
}

export interface BatchesConfig {
  /** Least time between two batch.progress events of one batch. */
  readonly progressIntervalS: number;
  readonly maxLines: number;
}

type SwitchyardConfigFields = Pick<
  SwitchyardConfig,
  'source' | 'server' | 'redis' | 'auth' | 'providers' | 'models' | 'retention' | 'worker' | 'log' | 'modelRegistry' | 'webhooks' | 'cache' | 'idempotency' | 'files' | 'batches' | 'metrics'
>;

const REDACTED = '[redacted]';

/**
 * The validated configuration. The class doubles as the NestJS injection token, so consumers
 * ask for `SwitchyardConfig` in a constructor. It redacts itself when serialized or inspected,
 * because config objects end up in logs by accident.
 */
export class SwitchyardConfig {
  /** The file path, or 'built-in default'. */
  readonly source: string;
  readonly server: ServerConfig;
  readonly redis: RedisConfig;
  readonly auth: {
    readonly keys: readonly ApiKeyConfig[];
    /** AES-256 key (auth.secrets_key, SWITCHYARD_SECRETS_KEY) for secrets the gateway stores in Redis; unset: it stores none. */
    readonly secretsKey?: Buffer;
  };
  readonly providers: ReadonlyMap<string, ProviderConfig>;
  readonly models: ReadonlyMap<string, ModelConfig>;
  readonly retention: RetentionConfig;
  readonly webhooks: WebhooksConfig;
  readonly cache: CacheConfig;
  readonly idempotency: { readonly ttlS: number };
  readonly files: FilesConfig;
  readonly batches: BatchesConfig;
  readonly worker: WorkerConfig;
  readonly log: { readonly level: string };
  /** /metrics needs an admin-scope key when true. */
  readonly metrics: { readonly requireKey: boolean };
  /** Upstream model id → overrides of the built-in model registry. */
  readonly modelRegistry: ReadonlyMap<string, ModelRegistryEntry>;

  constructor(fields: SwitchyardConfigFields) {
    this.source = fields.source;
    this.server = fields.server;
    this.redis = fields.redis;
    this.auth = fields.auth;
    this.providers = fields.providers;
    this.models = fields.models;
    this.retention = fields.retention;
    this.webhooks = fields.webhooks;
    this.cache = fields.cache;
    this.idempotency = fields.idempotency;
    this.files = fields.files;
    this.batches = fields.batches;
    this.modelRegistry = fields.modelRegistry;
    this.worker = fields.worker;
    this.log = fields.log;
    this.metrics = fields.metrics;
  }

  /** A loggable copy: provider keys and the Redis password replaced, key digests left out. */
  toJSON(): Record<string, unknown> {
    return {
      source: this.source,
      server: this.server,
      redis: {
        ...this.redis,
        url: redactUrlPassword(this.redis.url),
        ...(this.redis.cluster && { cluster: { nodes: this.redis.cluster.nodes.map(redactUrlPassword) } }),
      },
      auth: {
        secrets_key: this.auth.secretsKey ? REDACTED : null,
        keys: this.auth.keys.map(({ name, scopes, weight, limits, monthlyBudgetUsd, webhook }) => ({ name, scopes, weight, limits, monthly_budget_usd: monthlyBudgetUsd ?? null, webhook_url: webhook.url ?? null })),
      },
      providers: Object.fromEntries(
        [...this.providers].map(([name, p]) => [
          name,
          {
            ...p,
            ...(p.apiKey !== undefined && { apiKey: REDACTED }),
            options: redactSecretOptions(p.options),
            limits: { ...p.limits, models: Object.fromEntries(p.limits.models) },
          },
        ]),
      ),
      models: Object.fromEntries([...this.models].map(([name, m]) => [name, { ...m, failFast: [...m.failFast] }])),
      retention: this.retention,
      webhooks: this.webhooks,
      cache: this.cache,
      idempotency: this.idempotency,
      files: this.files,
      batches: this.batches,
      worker: this.worker,
      log: this.log,
      metrics: this.metrics,
      model_registry: Object.fromEntries(this.modelRegistry),
    };
  }

  [inspect.custom](): Record<string, unknown> {
    return this.toJSON();
  }
}

/** Family options may hold credentials too (Bedrock's secret key, an Entra token). */
function redactSecretOptions(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).map(([key, value]) => [key, /secret|token|password|key/i.test(key) ? REDACTED : value]));
}

function redactUrlPassword(raw: string): string {
  if (!URL.canParse(raw)) return raw;
  const url = new URL(raw);
  if (url.password === '') return raw;
  return `${url.protocol}//${url.username}:${REDACTED}@${url.host}${url.pathname}${url.search}`;
}
