import type { RedisConfig } from '@switchyard/config';
import { createIORedisClient, RedisConnection, type RedisOptions } from 'bullmq';
import { Cluster } from 'ioredis';
import { clusterOptions, clusterStartupNodes } from './redis-client';
import { redisOptionsFromUrl } from './redis-options';

let clusterOfBullMQ: string | undefined;

/**
 * The `connection` of a BullMQ queue or worker. BullMQ builds, duplicates (for its blocking
 * fetches) and closes its own clients from options. On a cluster it gets a factory that builds
 * Cluster clients from those same options, so it still owns and closes every client it uses; a
 * client handed in instead would be shared, and left open at shutdown.
 */
export function bullConnection(redis: RedisConfig, options: RedisOptions): RedisOptions {
  if (!redis.cluster) return { ...redisOptionsFromUrl(redis.url), ...options };
  sendBullMQToCluster(redis.cluster.nodes);
  return options;
}

/** The factory is process-wide in BullMQ; a process serves one config, so one cluster. */
function sendBullMQToCluster(nodes: readonly string[]): void {
  const key = nodes.join(',');
  if (clusterOfBullMQ === key) return;
  if (clusterOfBullMQ !== undefined) throw new Error('BullMQ already uses another Redis Cluster in this process');
  clusterOfBullMQ = key;
  RedisConnection.clientFactory = (options) => createIORedisClient(new Cluster(clusterStartupNodes(nodes), clusterOptions(nodes, options)));
}
