/** Where one provider's health lives in Redis; every key shares the prefix, so one hash slot in a cluster. */
export interface HealthKeys {
  /** Hash: circuit state, consecutive failures, opening time and count, latency EWMA per model. */
  readonly state: string;
  /** Hash of error-rate window buckets (`r:<bucket>` calls, `f:<bucket>` failures); expires when idle. */
  readonly window: string;
  /** Hash of one-second call counts for throughput; expires when idle. */
  readonly rate: string;
  /** The half-open probe token (SET NX PX). */
  readonly probe: string;
}

export function healthKeys(prefix: string, provider: string): HealthKeys {
  const base = `${prefix}:health:${provider}`;
  return { state: base, window: `${base}:window`, rate: `${base}:rate`, probe: `${base}:probe` };
}

/** Circuit transitions are announced here, so every process's cache follows at once. */
export function healthChannel(prefix: string): string {
  return `${prefix}:health`;
}
