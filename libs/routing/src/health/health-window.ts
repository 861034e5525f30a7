import type { CircuitBreakerConfig } from '@switchyard/config';

/** Throughput is measured over this many one-second buckets. */
export const RATE_SPAN_S = 30;
/** Long windows get wider buckets, so a failure never sums more than this many of them. */
const MAX_WINDOW_BUCKETS = 60;

export interface WindowGeometry {
  readonly bucketS: number;
  /** Buckets in the window, the current (partial) one included. */
  readonly buckets: number;
}

export interface WindowCounts {
  readonly requests: number;
  readonly failures: number;
}

export function windowGeometry(breaker: CircuitBreakerConfig): WindowGeometry {
  const bucketS = Math.max(1, Math.ceil(breaker.windowS / MAX_WINDOW_BUCKETS));
  return { bucketS, buckets: Math.ceil(breaker.windowS / bucketS) };
}

/** Sums the window hash; buckets the recording script has not pruned yet (an idle provider) are skipped. */
export function windowCounts(fields: Readonly<Record<string, string>>, geometry: WindowGeometry, nowS: number): WindowCounts {
  const oldest = Math.floor(nowS / geometry.bucketS) - geometry.buckets + 1;
  let requests = 0;
  let failures = 0;
  for (const [field, value] of Object.entries(fields)) {
    const [kind, bucket] = field.split(':');
    if (Number(bucket) < oldest) continue;
    if (kind === 'r') requests += Number(value);
    else if (kind === 'f') failures += Number(value);
  }
  return { requests, failures };
}

/** Calls per second over the last RATE_SPAN_S seconds, the current partial second included. */
export function throughputPerS(fields: Readonly<Record<string, string>>, nowMs: number): number {
  const nowS = Math.floor(nowMs / 1000);
  let calls = 0;
  for (const [second, count] of Object.entries(fields)) {
    if (Number(second) > nowS - RATE_SPAN_S) calls += Number(count);
  }
  return calls / (RATE_SPAN_S - 1 + (nowMs % 1000) / 1000);
}
