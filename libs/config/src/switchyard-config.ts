import { inspect } from 'node:util';

export interface ServerConfig {
  readonly host: string;
  /** False when the host is the default; an open gateway then binds 127.0.0.1 only. */
  readonly hostExplicit: boolean;
  readonly port: number;
  readonly bodyLimitBytes: number;
  readonly longPollMaxS: number;
}

export interface RedisConfig {
  readonly url: string;
  readonly prefix: string;
}

export interface ApiKeyConfig {
  readonly name: string;
  /** SHA-256 digest of the key (32 bytes); the plaintext is dropped at load. */
  readonly sha256: Buffer;
  readonly scopes: readonly string[];
}

export interface ProviderConfig {
  readonly name: string;
  readonly type: string;
  readonly baseUrl?: string;
  readonly apiKey?: string;
  readonly timeoutMs: number;
  readonly concurrency: number;
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
}

export interface ModelConfig {
  readonly name: string;
  readonly ownedBy: string;
  readonly targets: readonly ModelTarget[];
}

export interface RetentionConfig {
  readonly completedS: number;
  readonly failedS: number;
}

export interface WorkerConfig {
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly maxStalledCount: number;
  readonly shutdownGraceMs: number;
}

type SwitchyardConfigFields = Pick<
  SwitchyardConfig,
  'source' | 'server' | 'redis' | 'auth' | 'providers' | 'models' | 'retention' | 'worker' | 'log' | 'modelRegistry'
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
  readonly auth: { readonly keys: readonly ApiKeyConfig[] };
  readonly providers: ReadonlyMap<string, ProviderConfig>;
  readonly models: ReadonlyMap<string, ModelConfig>;
  readonly retention: RetentionConfig;
  readonly worker: WorkerConfig;
  readonly log: { readonly level: string };
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
    this.modelRegistry = fields.modelRegistry;
    this.worker = fields.worker;
    this.log = fields.log;
  }

  /** A loggable copy: provider keys and the Redis password replaced, key digests left out. */
  toJSON(): Record<string, unknown> {
    return {
      source: this.source,
      server: this.server,
      redis: { ...this.redis, url: redactUrlPassword(this.redis.url) },
      auth: { keys: this.auth.keys.map(({ name, scopes }) => ({ name, scopes })) },
      providers: Object.fromEntries(
        [...this.providers].map(([name, p]) => [name, { ...p, ...(p.apiKey !== undefined && { apiKey: REDACTED }), options: redactSecretOptions(p.options) }]),
      ),
      models: Object.fromEntries(this.models),
      retention: this.retention,
      worker: this.worker,
      log: this.log,
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
