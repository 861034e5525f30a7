import { DEFAULT_HOST, type ParsedConfig } from './config.schema';
import { clusterPrefix } from './redis-prefix';
import { SwitchyardConfig, type ModelConfig, type ModelRegistryEntry, type ProviderConfig, type RateLimitConfig } from './switchyard-config';

type ParsedRateLimit = { rpm?: number; tpm?: number; concurrency?: number };

function rateLimit({ rpm, tpm, concurrency }: ParsedRateLimit): RateLimitConfig {
  return Object.freeze({
    ...(rpm !== undefined && { rpm }),
    ...(tpm !== undefined && { tpm }),
    ...(concurrency !== undefined && { concurrency }),
  });
}

/** Turns the validated snake_case file shape into the frozen, camelCase runtime object. */
export function buildConfig(parsed: ParsedConfig, source: string): SwitchyardConfig {
  const { server, redis, auth, retention, worker, log, webhooks, cache, idempotency, files, batches, metrics } = parsed;
  const providers = new Map<string, ProviderConfig>();
  for (const [name, p] of Object.entries(parsed.providers)) {
    providers.set(
      name,
      Object.freeze({
        name,
        type: p.type,
        ...(p.base_url !== undefined && { baseUrl: p.base_url }),
        // An empty value (`${OPENAI_API_KEY:-}`) means "no key", not a key that is empty.
        ...(p.api_key !== undefined && p.api_key !== '' && { apiKey: p.api_key }),
        timeoutMs: p.timeout_ms,
        concurrency: p.concurrency,
        retries: p.retries,
        retryBackoffMs: p.retry_backoff_ms,
        retryBackoffMaxMs: p.retry_backoff_max_ms,
        limits: Object.freeze({
          ...rateLimit(p.limits),
          interactiveReserve: p.limits.interactive_reserve,
          models: new Map(Object.entries(p.limits.models).map(([model, limits]) => [model, rateLimit(limits)])),
        }),
        circuitBreaker: Object.freeze({
          failureThreshold: p.circuit_breaker.failure_threshold,
          errorRate: p.circuit_breaker.error_rate,
          minRequests: p.circuit_breaker.min_requests,
          windowS: p.circuit_breaker.window_s,
          cooldownS: p.circuit_breaker.cooldown_s,
        }),
        ...(p.unsupported_params !== undefined && { unsupportedParams: p.unsupported_params }),
        options: Object.freeze({ ...p.options }),
      }),
    );
  }
  const models = new Map<string, ModelConfig>();
  for (const [name, m] of Object.entries(parsed.models)) {
    const targets = Object.freeze(m.targets.map((t) => Object.freeze({ provider: t.provider, model: t.model, weight: t.weight })));
    models.set(
      name,
      Object.freeze({
        name,
        ownedBy: m.owned_by,
        targets,
        strategy: m.strategy,
        aliases: Object.freeze([...m.aliases]),
        failFast: new Set(m.fail_fast),
        onRateLimit: m.on_rate_limit,
        cache: Object.freeze({ ...(m.cache.mode !== undefined && { mode: m.cache.mode }), ...(m.cache.ttl_s !== undefined && { ttlS: m.cache.ttl_s }) }),
      }),
    );
  }
  const modelRegistry = new Map<string, ModelRegistryEntry>();
  for (const [id, e] of Object.entries(parsed.model_registry)) {
    modelRegistry.set(
      id,
      Object.freeze({
        ...(e.context_window !== undefined && { contextWindow: e.context_window }),
        ...(e.max_output_tokens !== undefined && { maxOutputTokens: e.max_output_tokens }),
        ...(e.capabilities !== undefined && { capabilities: Object.freeze([...e.capabilities]) }),
        ...(e.input_per_mtok !== undefined && { inputPerMTok: e.input_per_mtok }),
        ...(e.output_per_mtok !== undefined && { outputPerMTok: e.output_per_mtok }),
        ...(e.cached_input_per_mtok !== undefined && { cachedInputPerMTok: e.cached_input_per_mtok }),
      }),
    );
  }
  return Object.freeze(
    new SwitchyardConfig({
      modelRegistry,
      source,
      server: Object.freeze({
        host: server.host ?? DEFAULT_HOST,
        hostExplicit: server.host !== undefined,
        port: server.port,
        bodyLimitBytes: server.body_limit_bytes,
        longPollMaxS: server.long_poll_max_s,
        interactiveWaitS: server.interactive_wait_s,
        directCalls: server.direct_calls,
      }),
      redis: Object.freeze({
        url: redis.url,
        prefix: redis.cluster ? clusterPrefix(redis.prefix) : redis.prefix,
        ...(redis.cluster && { cluster: Object.freeze({ nodes: Object.freeze([...redis.cluster.nodes]) }) }),
      }),
      // Buffers cannot be frozen; the entries around them are.
      auth: Object.freeze({
        ...(auth.secrets_key !== undefined && { secretsKey: auth.secrets_key }),
        keys: Object.freeze(
          auth.keys.map((k) =>
            Object.freeze({
              name: k.name,
              sha256: k.sha256,
              scopes: Object.freeze(k.scopes),
              weight: k.weight,
              limits: Object.freeze({
                ...(k.limits.rpm !== undefined && { rpm: k.limits.rpm }),
                ...(k.limits.max_waiting !== undefined && { maxWaiting: k.limits.max_waiting }),
                ...(k.limits.tokens_per_day !== undefined && { tokensPerDay: k.limits.tokens_per_day }),
              }),
              ...(k.monthly_budget_usd !== undefined && { monthlyBudgetUsd: k.monthly_budget_usd }),
              webhook: Object.freeze({
                ...(k.webhook.url !== undefined && { url: k.webhook.url }),
                secrets: Object.freeze([
                  ...(k.webhook.secret !== undefined ? [{ secret: k.webhook.secret }] : []),
                  ...(k.webhook.previous_secret !== undefined && k.webhook.previous_secret_until !== undefined
                    ? [{ secret: k.webhook.previous_secret, untilMs: Date.parse(k.webhook.previous_secret_until) }]
                    : []),
                ]),
              }),
            }),
          ),
        ),
      }),
      providers,
      models,
      retention: Object.freeze({
        succeededS: retention.succeeded_s,
        failedS: retention.failed_s,
        canceledS: retention.canceled_s,
        queueMaxCompleted: retention.queue_max_completed,
        queueMaxFailed: retention.queue_max_failed,
      }),
      webhooks: Object.freeze({
        timeoutMs: webhooks.timeout_ms,
        maxResponseBytes: webhooks.max_response_bytes,
        retryScheduleS: Object.freeze([...webhooks.retry_schedule_s]),
        allowPrivate: Object.freeze([...webhooks.allow_private]),
        concurrency: webhooks.concurrency,
        concurrencyPerReceiver: webhooks.concurrency_per_receiver,
        logTtlS: webhooks.log_ttl_s,
      }),
      cache: Object.freeze({ scope: cache.scope, mode: cache.mode, ttlS: cache.ttl_s }),
      idempotency: Object.freeze({ ttlS: idempotency.ttl_s }),
      files: Object.freeze({ ttlS: files.ttl_s, maxBytes: files.max_bytes }),
      batches: Object.freeze({ progressIntervalS: batches.progress_interval_s, maxLines: batches.max_lines }),
      worker: Object.freeze({
        lockDurationMs: worker.lock_duration_ms,
        stalledIntervalMs: worker.stalled_interval_ms,
        maxStalledCount: worker.max_stalled_count,
        shutdownGraceMs: worker.shutdown_grace_ms,
        healthPort: worker.health_port,
      }),
      log: Object.freeze({ level: log.level }),
      metrics: Object.freeze({ requireKey: metrics.require_key }),
    }),
  );
}
