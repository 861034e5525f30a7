import type { ProviderConfig } from '@switchyard/config';

/** The routing fields of a provider config at their defaults, for tests that build one by hand. */
export const PROVIDER_DEFAULTS: Pick<ProviderConfig, 'retries' | 'retryBackoffMs' | 'retryBackoffMaxMs' | 'limits' | 'circuitBreaker'> = {
  retries: 2,
  retryBackoffMs: 1000,
  retryBackoffMaxMs: 30_000,
  limits: { interactiveReserve: 0, models: new Map() },
  circuitBreaker: { failureThreshold: 5, errorRate: 0.5, minRequests: 20, windowS: 60, cooldownS: 30 },
};
