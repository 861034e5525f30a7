import type { ModelConfig, ProviderConfig } from '@switchyard/config';
import type { ModelInfo, ProviderError } from '@switchyard/providers';
import type { RouteTarget } from '@switchyard/routing';

/** What a failed call leads to. */
export type NextStep =
  /** The same target again on a new queue entry, after an exponential backoff with jitter. */
  | { kind: 'retry'; delayMs: number }
  /** The provider asked us to slow down: the entry goes back to waiting and the queue pauses. */
  | { kind: 'wait'; delayMs: number }
  | { kind: 'fallback'; targetIndex: number }
  | { kind: 'fail' };

export interface FailedCall {
  error: ProviderError;
  targets: readonly RouteTarget[];
  targetIndex: number;
  /** Failed tries on this target before this one. */
  tries: number;
}

export interface StepRules {
  provider(name: string): ProviderConfig;
  /** The public model a target came from: its fail-fast and rate-limit rules apply. */
  model(name: string): ModelConfig | undefined;
  lookup(model: string): ModelInfo | undefined;
  random(): number;
}

/** A provider that keeps answering 429 is given up on after this many waits, then fallback or failure. */
export const MAX_RATE_LIMIT_WAITS = 20;
const DEFAULT_RATE_LIMIT_WAIT_MS = 1000;
/**
 * A 429 asking for a longer wait than this (a quota spent for the hour or the day) moves the job
 * to its next target even under `on_rate_limit: wait`: waiting would hold it, and pause the
 * provider's whole queue, for as long as the provider says.
 */
export const MAX_RATE_LIMIT_WAIT_MS = 60_000;

/** Equal jitter: at least half the exponential delay, the rest random, so a burst of retries spreads out. */
export function backoffMs(provider: ProviderConfig, tries: number, random: () => number): number {
  const ceiling = Math.min(provider.retryBackoffMaxMs, provider.retryBackoffMs * 2 ** tries);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The next target that could do better than this one, if any. */
function fallbackIndex({ error, targets, targetIndex }: FailedCall, rules: StepRules): number | undefined {
  const from = targets[targetIndex];
  const window = rules.lookup(from.model)?.contextWindow;
  const index = targets.findIndex((target, i) => {
    if (i <= targetIndex) return false;
    if (error.kind !== 'context_length_exceeded' || window === undefined) return true;
    // A prompt too long here is only worth sending where the window is larger (or unknown).
    const other = rules.lookup(target.model)?.contextWindow;
    return other === undefined || other > window;
  });
  return index === -1 ? undefined : index;
}

/**
 * The routing rules for a failed call, in order: errors no provider can fix end the job; a 429
 * waits for the provider (or moves on, if the model says so or the wait asked is over a minute);
 * retryable errors retry on the same target up to its `retries`; then the job falls back to the
 * next target; without one it fails.
 */
export function nextStep(call: FailedCall, rules: StepRules): NextStep {
  const { error, targets, targetIndex, tries } = call;
  const target = targets[targetIndex];
  const model = rules.model(target.via);
  if (model?.failFast.has(error.kind)) return { kind: 'fail' };
  const next = error.fallback || error.kind === 'context_length_exceeded' ? fallbackIndex(call, rules) : undefined;
  if (error.kind === 'rate_limited') {
    const waitMs = error.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS;
    if ((model?.onRateLimit === 'fallback' || waitMs > MAX_RATE_LIMIT_WAIT_MS) && next !== undefined) return { kind: 'fallback', targetIndex: next };
    if (tries < MAX_RATE_LIMIT_WAITS) return { kind: 'wait', delayMs: waitMs };
  } else if (error.retryable) {
    const provider = rules.provider(target.provider);
    if (tries < provider.retries) return { kind: 'retry', delayMs: backoffMs(provider, tries, rules.random) };
  }
  return next === undefined ? { kind: 'fail' } : { kind: 'fallback', targetIndex: next };
}
