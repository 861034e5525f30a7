import type { ProviderLimitsConfig, RateLimitConfig, SwitchyardConfig } from '@switchyard/config';

/** Spacing (rpm) and concurrency: every call passes with weight 1. */
export interface PaceSpec {
  readonly kind: 'pace';
  readonly id: string;
  readonly minTime: number;
  readonly maxConcurrent: number | null;
}

/** A tpm token bucket: every call passes with its tokens as weight. */
export interface TokenBucketSpec {
  readonly kind: 'tokens';
  readonly id: string;
  readonly capacity: number;
  readonly refillAmount: number;
  readonly refillIntervalMs: number;
}

export type LimiterSpec = PaceSpec | TokenBucketSpec;

/**
 * The limiters of one scope (a provider, one of its models, or its bulk share). Bottleneck weighs
 * maxConcurrent and the reservoir with one weight, so pace (weight 1) and tokens (weight = tokens)
 * must be two limiters.
 */
export interface LimitLevel {
  readonly pace?: PaceSpec;
  readonly tokens?: TokenBucketSpec;
}

export interface ProviderLimitPlan {
  /** Always has a pace limiter, unbounded when only tpm or model limits are set: it counts calls in flight. */
  readonly provider: LimitLevel;
  /** Only bulk calls pass it; present when the provider keeps an interactive reserve. */
  readonly bulk?: LimitLevel;
  /** Upstream model id → that model's limits, applied on top of the provider's. */
  readonly models: ReadonlyMap<string, LimitLevel>;
}

/** The plan of each provider that has any limit; providers without one are absent (their calls run directly). */
export function limitPlans(config: SwitchyardConfig): ReadonlyMap<string, ProviderLimitPlan> {
  const plans = new Map<string, ProviderLimitPlan>();
  for (const [name, provider] of config.providers) {
    const plan = providerPlan(`${config.redis.prefix}:limits:${name}`, provider.limits);
    if (plan) plans.set(name, plan);
  }
  return plans;
}

function providerPlan(base: string, limits: ProviderLimitsConfig): ProviderLimitPlan | undefined {
  const models = new Map<string, LimitLevel>();
  for (const [model, modelLimits] of limits.models) {
    if (hasLimits(modelLimits)) models.set(model, level(`${base}:${model}`, modelLimits));
  }
  if (!hasLimits(limits) && models.size === 0) return undefined;
  const provider = level(base, limits);
  return {
    provider: { ...provider, pace: provider.pace ?? paceSpec(base, {}) },
    ...(limits.interactiveReserve > 0 && hasLimits(limits) && { bulk: level(`${base}:bulk`, bulkShare(limits, limits.interactiveReserve)) }),
    models,
  };
}

function hasLimits({ rpm, tpm, concurrency }: RateLimitConfig): boolean {
  return rpm !== undefined || tpm !== undefined || concurrency !== undefined;
}

function level(id: string, limits: RateLimitConfig): LimitLevel {
  return {
    ...((limits.rpm !== undefined || limits.concurrency !== undefined) && { pace: paceSpec(id, limits) }),
    ...(limits.tpm !== undefined && { tokens: tokenBucketSpec(id, limits.tpm) }),
  };
}

/** A spacing of 60 000 / rpm ms keeps every 1-second window within rpm / 60 starts, not just every minute. */
function paceSpec(id: string, { rpm, concurrency }: RateLimitConfig): PaceSpec {
  return { kind: 'pace', id, minTime: rpm === undefined ? 0 : Math.ceil(60_000 / rpm), maxConcurrent: concurrency ?? null };
}

/**
 * Full at tpm and refilled at tpm per minute, in whole tokens: Bottleneck adjusts the reservoir
 * with HINCRBY, which fails on a fraction. tpm/60 every second when tpm divides by 60; otherwise the
 * interval stretches so that the rate stays tpm per minute.
 */
function tokenBucketSpec(levelId: string, tpm: number): TokenBucketSpec {
  const refillAmount = Math.max(1, Math.floor(tpm / 60));
  // '#' keeps the bucket's id apart from a model that happens to be called like a suffix.
  return { kind: 'tokens', id: `${levelId}#tpm`, capacity: tpm, refillAmount, refillIntervalMs: Math.round((60_000 * refillAmount) / tpm) };
}

/** What bulk calls may use: (1 - reserve) of each limit, at least 1 so bulk work never stalls. */
function bulkShare(limits: RateLimitConfig, reserve: number): RateLimitConfig {
  // The epsilon undoes float error: (1 - 0.9) * 100 is 9.999999999999998, not 10.
  const share = (limit: number | undefined) => (limit === undefined ? undefined : Math.max(1, Math.floor((1 - reserve) * limit + 1e-9)));
  return { rpm: share(limits.rpm), tpm: share(limits.tpm), concurrency: share(limits.concurrency) };
}
