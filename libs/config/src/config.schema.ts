import { createHash } from 'node:crypto';
import { PROVIDER_ERROR_KINDS, ROUTING_STRATEGIES } from '@switchyard/contracts';
import { z } from 'zod';
import { clusterNodeUrl, flag, httpUrl, integer, matching, nonNegativeInteger, oneOf, positiveInteger, redisUrl, section, text } from './schema-fields';
import { requiredOr } from './schema-messages';

/** Provider families the gateway has adapters for; `providers.<name>.type` must be one of them. */
export const PROVIDER_TYPES = ['mock', 'openai', 'openai-compatible', 'azure-openai', 'anthropic', 'gemini', 'bedrock', 'cohere', 'ollama'] as const;

export const UNSUPPORTED_PARAM_POLICIES = ['drop', 'reject'] as const;
export const MODEL_CAPABILITIES = ['chat', 'tools', 'vision', 'json_schema', 'embeddings', 'streaming'] as const;

/** Types whose adapter talks HTTP to an upstream and so needs to know where it is. */
const NEEDS_BASE_URL: ReadonlySet<string> = new Set(['openai']);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const API_KEY_SCOPES = ['jobs', 'admin'] as const;

export const DEFAULT_HOST = '0.0.0.0';

/** setTimeout fires at once for delays above this, so a longer "timeout" would mean none. */
const MAX_TIMER_MS = 2_147_483_647;

const PROVIDER_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/;
export const API_KEY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const REDIS_PREFIX = /^[A-Za-z0-9_{}-]+$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

// Field rules shared with the environment overrides, so `PORT=0` fails the way `port: 0` does.
export const hostSchema = matching(/^\S+$/, 'must be a hostname or IP address');
export const portSchema = integer({ min: 1, max: 65535, message: 'must be a port number 1-65535', maxMessage: 'must be a port number 1-65535' });
export const logLevelSchema = oneOf(LOG_LEVELS);
export const healthPortSchema = integer({ min: 0, max: 65535, message: 'must be a port number 0-65535 (0 turns it off)', maxMessage: 'must be a port number 0-65535 (0 turns it off)' });
export const redisUrlSchema = redisUrl();

const serverSchema = section({
  // Left without a default here so the loader can tell an explicit host from the fallback.
  host: hostSchema.optional(),
  port: portSchema.default(8080),
  body_limit_bytes: positiveInteger().default(1024 * 1024),
  long_poll_max_s: integer({ min: 1, max: 300, message: 'must be an integer from 1 to 300', maxMessage: 'must be an integer from 1 to 300' }).default(60),
  // How long /v1/chat/completions, /v1/embeddings and /v1/messages wait for their job before 504.
  interactive_wait_s: integer({ min: 1, max: 3600, message: 'must be an integer from 1 to 3600', maxMessage: 'must be an integer from 1 to 3600' }).default(300),
  // Interactive calls this API process may run itself when their queue has nothing waiting (0: never).
  direct_calls: integer({ min: 0, max: 10000, message: 'must be an integer from 0 to 10000', maxMessage: 'must be an integer from 0 to 10000' }).default(64),
});

function nodeLogin(raw: string): string {
  if (!URL.canParse(raw)) return raw;
  const url = new URL(raw);
  return `${url.protocol}${url.username}:${url.password}`;
}

/**
 * Startup nodes of a Redis Cluster (any reachable masters; the rest is discovered). ioredis logs
 * in to every node with one set of options, so the nodes must agree on TLS and credentials.
 */
export const redisClusterSchema = section({
  nodes: z
    .array(clusterNodeUrl(), { error: requiredOr('must be a list of redis:// or rediss:// URLs') })
    .min(1, { error: 'must list at least one node' })
    .superRefine((nodes, ctx) => {
      const first = nodeLogin(nodes[0] ?? '');
      nodes.forEach((node, index) => {
        if (nodeLogin(node) !== first) ctx.addIssue({ code: 'custom', path: [index], message: 'must use the same scheme and credentials as the first node' });
      });
    }),
});

/** REDIS_CLUSTER_NODES: the node URLs separated by commas. */
export const redisClusterNodesEnvSchema = z
  .string()
  .transform((value) => ({ nodes: value.split(',').map((node) => node.trim()).filter((node) => node !== '') }))
  .pipe(redisClusterSchema);

const redisSchema = section({
  url: redisUrlSchema.default('redis://127.0.0.1:6379'),
  prefix: matching(REDIS_PREFIX, 'may contain only letters, digits, _, -, { and }').default('sy'),
  // Set: the gateway runs on this Redis Cluster and `url` is not used.
  cluster: redisClusterSchema.optional(),
});

/** `whsec_` and base64 of at least 24 bytes, as the Standard Webhooks specification has them. */
const webhookSecret = matching(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, 'must be whsec_ followed by the base64 of a random key of at least 24 bytes');
const isoTime = z
  .string({ error: 'must be an ISO 8601 date and time' })
  .refine((value) => !Number.isNaN(Date.parse(value)), { error: 'must be an ISO 8601 date and time' });

const apiKeySchema = section({
  name: matching(API_KEY_NAME, 'must be 1-64 letters, digits, _, . or -'),
  key: z.string({ error: 'must be a string' }).min(16, { error: 'must be at least 16 characters' }).optional(),
  key_sha256: matching(SHA256_HEX, 'must be 64 hex characters (a SHA-256 digest)').optional(),
  scopes: z.array(oneOf(API_KEY_SCOPES)).min(1, { error: 'must list at least one scope' }).default(['jobs']),
  // This key's share of a busy provider against other keys' queued jobs (weighted fair queuing).
  weight: positiveInteger(1000).default(1),
  limits: section({
    rpm: positiveInteger().optional(),
    max_waiting: positiveInteger().optional(),
    tokens_per_day: positiveInteger().optional(),
  }).prefault({}),
  // New submits get 429 budget_exceeded once the key's cost this calendar month (UTC) reaches it.
  monthly_budget_usd: z.number({ error: 'must be a number of US dollars' }).positive({ error: 'must be a positive number of US dollars' }).optional(),
  // Where this key's job events go when a job names no webhook, and the secrets that sign them.
  webhook: section({
    url: httpUrl().optional(),
    secret: webhookSecret.optional(),
    // Still signed with during a rotation, until previous_secret_until.
    previous_secret: webhookSecret.optional(),
    previous_secret_until: isoTime.optional(),
  }).prefault({}),
}).superRefine((entry, ctx) => {
  if (entry.key === undefined && entry.key_sha256 === undefined) ctx.addIssue({ code: 'custom', message: 'needs one of key or key_sha256' });
  if (entry.key !== undefined && entry.key_sha256 !== undefined) ctx.addIssue({ code: 'custom', message: 'must have only one of key or key_sha256' });
  if (entry.webhook.url !== undefined && entry.webhook.secret === undefined) {
    ctx.addIssue({ code: 'custom', path: ['webhook', 'secret'], message: 'is required with webhook.url (deliveries are always signed)' });
  }
  if (entry.webhook.previous_secret !== undefined && entry.webhook.previous_secret_until === undefined) {
    ctx.addIssue({ code: 'custom', path: ['webhook', 'previous_secret_until'], message: 'is required with previous_secret (when the rotation ends)' });
  }
})
  // Hashed right here so the plaintext key never reaches anything built from the parsed config.
  .transform(({ name, key, key_sha256, scopes, weight, limits, monthly_budget_usd, webhook }) => ({
    name,
    sha256: key !== undefined ? createHash('sha256').update(key).digest() : Buffer.from(key_sha256 ?? '', 'hex'),
    scopes: [...new Set(scopes)],
    weight,
    limits,
    monthly_budget_usd,
    webhook,
  }));

const SECRETS_KEY_MESSAGE = 'must be 32 random bytes as 64 hex characters or base64 (openssl rand -base64 32)';

function secretsKeyBytes(value: string): Buffer | undefined {
  const text = value.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(text) ? Buffer.from(text, 'base64') : undefined;
  return bytes?.length === 32 ? bytes : undefined;
}

/** The AES-256 key that encrypts run-time keys' webhook secrets in Redis: 32 bytes, hex or base64. Checked here, decoded in authSchema. */
export const secretsKeySchema = z.string({ error: requiredOr(SECRETS_KEY_MESSAGE) }).refine((value) => secretsKeyBytes(value) !== undefined, { error: SECRETS_KEY_MESSAGE });

const authSchema = section({
  secrets_key: secretsKeySchema.transform((value) => secretsKeyBytes(value) ?? Buffer.alloc(0)).optional(),
  keys: z.array(apiKeySchema).default([]).superRefine((keys, ctx) => {
    const names = new Map<string, number>();
    const digests = new Map<string, number>();
    keys.forEach((entry, i) => {
      // Zod runs this even when some entries failed; those were never hashed.
      if (!Buffer.isBuffer(entry.sha256)) return;
      const sameName = names.get(entry.name);
      if (sameName === undefined) names.set(entry.name, i);
      else ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate name "${entry.name}" (also auth.keys[${sameName}])` });
      // The same key under two names would make the caller's identity depend on list order.
      const digest = entry.sha256.toString('hex');
      const sameKey = digests.get(digest);
      if (sameKey === undefined) digests.set(digest, i);
      else ctx.addIssue({ code: 'custom', path: [i], message: `has the same key as auth.keys[${sameKey}]` });
    });
  }),
});

const CACHE_MODES = ['auto', 'always', 'never'] as const;
/** auto: only deterministic requests (temperature 0 or a seed; embeddings). */
const cacheRulesSchema = section({
  mode: oneOf(CACHE_MODES).optional(),
  ttl_s: positiveInteger(365 * 86_400).optional(),
});

const rateLimitFields = {
  rpm: positiveInteger().optional(),
  tpm: positiveInteger().optional(),
  concurrency: positiveInteger(100_000).optional(),
};

/** Limits that hold for the sum of all worker processes (Bottleneck clustered on Redis). */
const providerLimitsSchema = section({
  ...rateLimitFields,
  // The share of the limits that bulk (priority > 1) jobs may not use, kept for interactive work.
  interactive_reserve: z.number({ error: 'must be a number from 0 to 0.9' }).min(0, { error: 'must be a number from 0 to 0.9' }).max(0.9, { error: 'must be a number from 0 to 0.9' }).default(0),
  models: z.record(text(), section(rateLimitFields), { error: requiredOr('must be a mapping') }).default({}),
});

const circuitBreakerSchema = section({
  failure_threshold: positiveInteger().default(5),
  error_rate: z.number({ error: 'must be a number from 0 to 1' }).gt(0, { error: 'must be a number above 0 and at most 1' }).max(1, { error: 'must be a number above 0 and at most 1' }).default(0.5),
  min_requests: positiveInteger().default(20),
  window_s: positiveInteger(3600).default(60),
  cooldown_s: positiveInteger(86_400).default(30),
});

const providerSchema = section({
  type: oneOf(PROVIDER_TYPES),
  base_url: httpUrl().optional(),
  api_key: z.string({ error: 'must be a string' }).optional(),
  timeout_ms: positiveInteger(MAX_TIMER_MS).default(60_000),
  concurrency: positiveInteger(10_000).default(16),
  retries: nonNegativeInteger(20).default(2),
  retry_backoff_ms: positiveInteger(MAX_TIMER_MS).default(1000),
  retry_backoff_max_ms: positiveInteger(MAX_TIMER_MS).default(30_000),
  limits: providerLimitsSchema.prefault({}),
  circuit_breaker: circuitBreakerSchema.prefault({}),
  // Unset: reject what changes the output's meaning (tools, response_format), drop mere hints.
  unsupported_params: oneOf(UNSUPPORTED_PARAM_POLICIES).optional(),
  options: z.record(z.string(), z.unknown(), { error: requiredOr('must be a mapping') }).default({}),
}).superRefine((provider, ctx) => {
  if (NEEDS_BASE_URL.has(provider.type) && provider.base_url === undefined) {
    ctx.addIssue({ code: 'custom', path: ['base_url'], message: `is required for type ${provider.type}` });
  }
});

const price = z.number({ error: 'must be a number (USD per million tokens)' }).nonnegative({ error: 'must not be negative' });

/** Adds to or overrides the built-in model registry (context window, capabilities, prices). */
const registryEntrySchema = section({
  context_window: positiveInteger().optional(),
  max_output_tokens: positiveInteger().optional(),
  capabilities: z.array(oneOf(MODEL_CAPABILITIES), { error: 'must be a list' }).optional(),
  input_per_mtok: price.optional(),
  output_per_mtok: price.optional(),
  cached_input_per_mtok: price.optional(),
});

/**
 * Errors no other target could fix: they end the job at once instead of falling back. A context
 * length error is not among them: it falls back, but only to targets with a larger window.
 */
export const DEFAULT_FAIL_FAST = ['invalid_request', 'content_filter'] as const;

function modelSchema(providerNames: ReadonlySet<string>) {
  const target = section({
    provider: z
      .string({ error: requiredOr('must be a provider name') })
      .refine((name) => providerNames.has(name), { error: (issue) => `refers to unknown provider "${String(issue.input)}"` }),
    model: text(),
    weight: positiveInteger(1_000_000).default(1),
  });
  return section({
    targets: z.array(target, { error: requiredOr('must be a list of targets') }).min(1, { error: 'must list at least one target' }),
    strategy: oneOf(ROUTING_STRATEGIES).default('fallback'),
    aliases: z.array(matching(MODEL_NAME, 'is not a valid model name'), { error: 'must be a list of names' }).default([]),
    fail_fast: z.array(oneOf(PROVIDER_ERROR_KINDS), { error: 'must be a list of error kinds' }).default([...DEFAULT_FAIL_FAST]),
    on_rate_limit: oneOf(['wait', 'fallback'] as const).default('wait'),
    cache: cacheRulesSchema.prefault({}),
    owned_by: text().default('switchyard'),
  });
}

function named<T extends z.ZodType>(pattern: RegExp, rule: string, value: T, what: string) {
  return z
    .record(matching(pattern, `is not a valid ${what} name: ${rule}`), value, { error: requiredOr('must be a mapping') })
    .refine((entries) => Object.keys(entries).length > 0, { error: `must define at least one ${what}` });
}

/** An alias must name exactly one model, so it may repeat neither a model name nor another alias. */
function uniqueModelNames(models: Record<string, { aliases: string[] }>, ctx: z.RefinementCtx): void {
  const owners = new Map<string, string>(Object.keys(models).map((name) => [name, name]));
  for (const [name, model] of Object.entries(models)) {
    model.aliases.forEach((alias, i) => {
      const owner = owners.get(alias);
      if (owner === undefined) owners.set(alias, name);
      else ctx.addIssue({ code: 'custom', path: [name, 'aliases', i], message: `"${alias}" already names model "${owner}"` });
    });
  }
}

/**
 * The file's shape. Model targets are checked against the provider names found in the same
 * file, passed in because a zod refinement on the whole object would only run once every
 * other part is already valid, and a typo in a provider reference should be reported together
 * with the rest.
 */
export function configSchema(providerNames: ReadonlySet<string>) {
  return section({
    server: serverSchema.prefault({}),
    redis: redisSchema.prefault({}),
    auth: authSchema.prefault({}),
    providers: named(PROVIDER_NAME, 'use 1-63 lowercase letters, digits, _ or -, starting with a letter or digit', providerSchema, 'provider'),
    models: named(MODEL_NAME, 'use up to 128 letters, digits, _, ., :, / or -, starting with a letter or digit', modelSchema(providerNames), 'model').superRefine(uniqueModelNames),
    retention: section({
      succeeded_s: positiveInteger().default(86_400),
      failed_s: positiveInteger().default(604_800),
      canceled_s: positiveInteger().default(86_400),
      // Finished entries kept per queue at most, whatever their age: bounds Redis under any load.
      queue_max_completed: positiveInteger().default(10_000),
      queue_max_failed: positiveInteger().default(100_000),
    }).prefault({}),
    webhooks: section({
      timeout_ms: positiveInteger(60_000).default(10_000),
      max_response_bytes: positiveInteger().default(65_536),
      // Delay before each attempt, in seconds; the first is normally 0.
      retry_schedule_s: z
        .array(z.number({ error: 'must be a number of seconds' }).nonnegative({ error: 'must not be negative' }), { error: 'must be a list of delays in seconds' })
        .min(1, { error: 'must list at least one attempt' })
        .max(30, { error: 'must list at most 30 attempts' })
        .default([0, 5, 300, 1800, 7200, 18_000, 36_000, 36_000]),
      // Private or loopback destinations allowed anyway: CIDRs ("10.1.0.0/16") or exact hostnames.
      allow_private: z.array(text(), { error: 'must be a list of CIDRs or hostnames' }).default([]),
      concurrency: positiveInteger(10_000).default(50),
      // Deliveries one receiver (scheme, host and port) may have in flight per process: a slow one cannot take every slot.
      concurrency_per_receiver: positiveInteger(10_000).default(10),
      log_ttl_s: positiveInteger().default(604_800),
    }).prefault({}),
    cache: section({
      scope: oneOf(['key', 'global'] as const).default('key'),
      mode: oneOf(CACHE_MODES).default('auto'),
      ttl_s: positiveInteger(365 * 86_400).default(3600),
    }).prefault({}),
    idempotency: section({ ttl_s: positiveInteger(30 * 86_400).default(86_400) }).prefault({}),
    files: section({
      // Uploaded and batch output files are deleted this long after they are created.
      ttl_s: positiveInteger(365 * 86_400).default(30 * 86_400),
      // Largest upload, in bytes (OpenAI's limit for batch input files).
      max_bytes: positiveInteger().default(200 * 1024 * 1024),
    }).prefault({}),
    batches: section({
      // A batch with a webhook gets a batch.progress event at most this often.
      progress_interval_s: positiveInteger(86_400).default(60),
      // Most request lines in one batch (OpenAI's limit by default).
      max_lines: positiveInteger(10_000_000).default(50_000),
    }).prefault({}),
    worker: section({
      lock_duration_ms: positiveInteger(MAX_TIMER_MS).default(30_000),
      stalled_interval_ms: positiveInteger(MAX_TIMER_MS).default(30_000),
      max_stalled_count: nonNegativeInteger().default(2),
      shutdown_grace_ms: nonNegativeInteger(MAX_TIMER_MS).default(10_000),
      // /metrics, /healthz and /readyz of a worker process; 9464 is the port Prometheus exporters conventionally use.
      health_port: healthPortSchema.default(9464),
    }).prefault({}),
    metrics: section({
      // Off: /metrics is open, like /healthz. On: it needs a key with the admin scope.
      require_key: flag().default(false),
    }).prefault({}),
    log: section({ level: logLevelSchema.default('info') }).prefault({}),
    model_registry: z.record(text(), registryEntrySchema, { error: requiredOr('must be a mapping') }).default({}),
  });
}

export type ParsedConfig = z.output<ReturnType<typeof configSchema>>;
