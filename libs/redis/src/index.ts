export { RedisModule } from './redis.module';
export { RedisConnections } from './redis-connections';
export { RedisSubscriber } from './redis-subscriber';
export { RedisScript } from './redis-script';
export { redisOptionsFromUrl } from './redis-options';
export { ensureRedis, RedisUnavailableError, type RedisHandle } from './embedded-redis';
export { backgroundWorkerOptions } from './background-worker-options';
export { isRedisOutage } from './redis-outage';
