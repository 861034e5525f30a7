import type { CacheKey } from './cache-key';

/** Every Redis key of the cache lib, in one place, under the configured prefix. */
export class CacheRedisKeys {
  constructor(readonly prefix: string) {}

  response(key: CacheKey): string {
    return `${this.prefix}:cache:${key}`;
  }

  /** Holds the leader's job id while its call is in flight; expires with the lease. */
  claim(key: CacheKey): string {
    return `${this.prefix}:cache-inflight:${key}`;
  }

  /** Job ids waiting for the leader's answer. Lua derives it from claim(), so the suffix is fixed. */
  followers(key: CacheKey): string {
    return `${this.claim(key)}${FOLLOWERS_SUFFIX}`;
  }

  /** Cache keys with followers, scored by when their leader's lease runs out: the orphan sweep's index. */
  waiting(): string {
    return `${this.prefix}:cache-inflight-waiting`;
  }

  /** What Lua prepends to a cache key to get its claim key. */
  claimPrefix(): string {
    return `${this.prefix}:cache-inflight:`;
  }
}

export const FOLLOWERS_SUFFIX = ':followers';
