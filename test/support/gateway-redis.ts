import type { Cluster, Redis } from 'ioredis';
import { RedisCluster } from './redis-cluster';
import type { PrivateRedis } from './redis-server';

/** The Redis a test hands to startGateway. */
export type TestRedis = PrivateRedis | RedisCluster;

/** `SWITCHYARD_TEST_REDIS=cluster` (npm run test:cluster) runs each gateway on a Redis Cluster instead of its PrivateRedis. */
export function clusterRequested(): boolean {
  return process.env.SWITCHYARD_TEST_REDIS === 'cluster';
}

const twins = new Map<PrivateRedis, Promise<RedisCluster>>();

/**
 * Where a gateway started with `redis` keeps its data: `redis` itself, or in cluster mode a Redis
 * Cluster started for that PrivateRedis on first use and stopped with it. So the core suites run
 * unchanged on a cluster, each PrivateRedis of theirs standing for a cluster of its own.
 */
export async function gatewayRedis(redis: TestRedis): Promise<TestRedis> {
  if (redis instanceof RedisCluster || !clusterRequested()) return redis;
  let twin = twins.get(redis);
  if (!twin) {
    const started = RedisCluster.start();
    twin = started;
    twins.set(redis, started);
    redis.onStop(async () => {
      twins.delete(redis);
      await started.then((cluster) => cluster.stop(), () => undefined);
    });
  }
  return twin;
}

/** The variables that point an app process at the gateway's Redis. */
export async function gatewayRedisEnv(redis: TestRedis): Promise<Record<string, string | undefined>> {
  const target = await gatewayRedis(redis);
  return target instanceof RedisCluster ? target.gatewayEnv() : { REDIS_URL: target.url, REDIS_CLUSTER_NODES: undefined };
}

/** The gateway's keys as a test reads them directly. */
export interface GatewayStore {
  /** A client of the gateway's Redis (closed when that Redis stops). */
  readonly client: Redis | Cluster;
  /** `<prefix>:<rest>`, the prefix hash-tagged (`{sy}`) on a cluster, as the gateway does. */
  key(rest: string, prefix?: string): string;
  /** Keys matching `pattern`, from every node of a cluster. */
  keys(pattern: string): Promise<string[]>;
}

export async function gatewayStore(redis: TestRedis): Promise<GatewayStore> {
  const target = await gatewayRedis(redis);
  if (target instanceof RedisCluster) {
    return { client: target.client(), key: (rest, prefix = 'sy') => `{${prefix}}:${rest}`, keys: (pattern) => target.keys(pattern) };
  }
  const client = target.client();
  return { client, key: (rest, prefix = 'sy') => `${prefix}:${rest}`, keys: (pattern) => client.keys(pattern) };
}
