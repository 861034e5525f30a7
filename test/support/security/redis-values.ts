import type { Redis } from 'ioredis';

/** One key of a Redis database and every string stored in it (members, fields, scores, stream entries). */
export interface RedisEntry {
  key: string;
  type: string;
  values: string[];
}

async function valuesOf(redis: Redis, key: string, type: string): Promise<string[]> {
  switch (type) {
    case 'string':
      return [(await redis.getBuffer(key))?.toString('latin1') ?? ''];
    case 'hash':
      return Object.entries(await redis.hgetall(key)).flat();
    case 'list':
      return redis.lrange(key, 0, -1);
    case 'set':
      return redis.smembers(key);
    case 'zset':
      return redis.zrange(key, '0', '-1', 'WITHSCORES');
    case 'stream':
      return (await redis.xrange(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields]);
    default:
      throw new Error(`redis key ${key} has type ${type}, which the scan cannot read`);
  }
}

/** SCANs the whole database and reads every key of every type, so a test can search all of it. */
export async function readAllRedis(redis: Redis): Promise<RedisEntry[]> {
  const entries: RedisEntry[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      // A key can expire between SCAN and TYPE.
      if (type !== 'none') entries.push({ key, type, values: await valuesOf(redis, key, type) });
    }
  } while (cursor !== '0');
  return entries;
}
