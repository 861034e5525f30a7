import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-client';

/** A Lua script run by its SHA, loaded on first NOSCRIPT: one round trip in the usual case. */
export class RedisScript {
  private readonly sha: string;

  constructor(
    readonly name: string,
    private readonly lua: string,
    private readonly keyCount: number,
  ) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: RedisClient, keys: string[], args: Array<string | number>): Promise<unknown> {
    if (keys.length !== this.keyCount) throw new Error(`${this.name} takes ${this.keyCount} keys`);
    try {
      return await redis.evalsha(this.sha, this.keyCount, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.lua, this.keyCount, ...keys, ...args);
    }
  }
}
