import type { RedisConfig } from '@switchyard/config';
import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';
import { redisOptionsFromUrl } from './redis-options';

/** A connection to the configured Redis: one server, or a Redis Cluster. Both take the same commands. */
export type RedisClient = Redis | Cluster;

/** Options that ioredis takes for the whole cluster rather than per node, or that a cluster cannot have. */
const NOT_PER_NODE: ReadonlySet<string> = new Set(['host', 'port', 'path', 'db', 'sentinels', 'retryStrategy', 'enableOfflineQueue', 'enableAutoPipelining', 'lazyConnect', 'readOnly']);

/** host:port of each configured node; ioredis discovers the rest of the cluster from them. */
export function clusterStartupNodes(urls: readonly string[]): ClusterNode[] {
  return urls.map((url) => {
    const { host, port } = redisOptionsFromUrl(url);
    return { host, port };
  });
}

/**
 * Standalone connection options turned into a cluster's: login, TLS, timeouts and retries per
 * command apply to every node's connection; reconnecting, the offline queue and pipelining belong
 * to the cluster. The nodes share one login (the config checks it), taken from the first URL.
 */
export function clusterOptions(urls: readonly string[], options: RedisOptions): ClusterOptions {
  const { username, password, tls } = redisOptionsFromUrl(urls[0] ?? 'redis://127.0.0.1');
  const perNode = Object.fromEntries(Object.entries(options).filter(([key]) => !NOT_PER_NODE.has(key))) as ClusterOptions['redisOptions'];
  const { retryStrategy, enableOfflineQueue, enableAutoPipelining, lazyConnect } = options;
  return {
    redisOptions: { username, password, tls, ...perNode },
    ...(retryStrategy !== undefined && { clusterRetryStrategy: retryStrategy }),
    ...(enableOfflineQueue !== undefined && { enableOfflineQueue }),
    ...(enableAutoPipelining !== undefined && { enableAutoPipelining }),
    ...(lazyConnect !== undefined && { lazyConnect }),
  };
}

/** What a library that builds its own ioredis clients (Bottleneck) needs to reach the configured Redis. */
export interface RedisClientSettings {
  readonly clusterNodes?: ClusterNode[];
  readonly clientOptions: RedisOptions | ClusterOptions;
}

export function redisClientSettings(redis: RedisConfig, options: RedisOptions): RedisClientSettings {
  if (!redis.cluster) return { clientOptions: { ...redisOptionsFromUrl(redis.url), ...options } };
  return { clusterNodes: clusterStartupNodes(redis.cluster.nodes), clientOptions: clusterOptions(redis.cluster.nodes, options) };
}

/** A new client of the configured Redis with these options (per node, on a cluster). */
export function createRedisClient(redis: RedisConfig, options: RedisOptions): RedisClient {
  if (!redis.cluster) return new Redis({ ...redisOptionsFromUrl(redis.url), ...options });
  return new Cluster(clusterStartupNodes(redis.cluster.nodes), clusterOptions(redis.cluster.nodes, options));
}
