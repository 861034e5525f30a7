export { CacheModule } from './cache.module';
export { cacheKey, GLOBAL_SCOPE, type CacheKey, type CacheTarget } from './cache-key';
export { CachePolicy, type CacheDecision, type RequestCacheOption } from './cache-policy';
export type { CachedResponse } from './cached-response';
export { ResponseCache } from './response-cache';
export { InflightCalls, type ClaimRole, type InflightOutcome, type OrphanedFollower } from './inflight-calls';
