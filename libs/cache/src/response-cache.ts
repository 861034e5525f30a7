import { Injectable, Logger } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { RedisConnections } from '@switchyard/redis';
import type { CacheKey } from './cache-key';
import type { CachedResponse } from './cached-response';
import { CacheRedisKeys } from './cache-redis-keys';

/** Stored answers by cache key, each expiring after its TTL: Redis itself keeps the cache bounded. */
@Injectable()
export class ResponseCache {
  private readonly logger = new Logger(ResponseCache.name);
  private readonly keys: CacheRedisKeys;

  constructor(
    private readonly connections: RedisConnections,
    config: SwitchyardConfig,
  ) {
    this.keys = new CacheRedisKeys(config.redis.prefix);
  }

  async get(key: CacheKey): Promise<CachedResponse | null> {
    const stored = await this.connections.commands.get(this.keys.response(key));
    if (stored === null) return null;
    try {
      return JSON.parse(stored) as CachedResponse;
    } catch {
      // An entry that cannot be read is a miss, never a failed job; the next answer overwrites it.
      this.logger.warn(`unreadable cache entry ${key}; treating it as a miss`);
      return null;
    }
  }

  async set(key: CacheKey, value: CachedResponse, ttlS: number): Promise<void> {
    await this.connections.commands.set(this.keys.response(key), JSON.stringify(value), 'EX', Math.max(1, Math.ceil(ttlS)));
  }

  async delete(key: CacheKey): Promise<void> {
    await this.connections.commands.del(this.keys.response(key));
  }
}
