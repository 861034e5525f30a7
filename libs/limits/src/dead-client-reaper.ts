import type { Logger } from '@nestjs/common';
import { RedisScript, type RedisClient } from '@switchyard/redis';
import { CLIENT_TIMEOUT_MS, type ClusterLimiter } from './cluster-limiter';
import { messageOf } from './error-message';

/** Longer than Bottleneck's heartbeat, so a live process always beats between two sweeps. */
export const SWEEP_INTERVAL_MS = 2_500;

/**
 * Expires the running jobs of the given clients when they are still unseen since the cutoff.
 * Bottleneck frees an expired job on its next tick; its own client timeout only forgets clients
 * that hold nothing, so without this a dead process would keep its slots for good.
 * Keys are Bottleneck's own layout for a limiter id (`b_<id>_...`).
 */
const EXPIRE_DEAD_CLIENT_JOBS = new RedisScript(
  'expire-dead-client-jobs',
  `
local stale = redis.call('zrangebyscore', KEYS[2], '-inf', ARGV[1])
local isStale = {}
for _, client in ipairs(stale) do isStale[client] = true end
local dead = {}
local anyDead = false
for i = 2, #ARGV do
  if isStale[ARGV[i]] then
    dead[ARGV[i]] = true
    anyDead = true
  end
end
local expired = 0
if anyDead then
  local jobs = redis.call('hgetall', KEYS[1])
  for i = 1, #jobs, 2 do
    -- Another process's sweep may have expired it already.
    if dead[jobs[i + 1]] and redis.call('zscore', KEYS[3], jobs[i]) ~= '0' then
      redis.call('zadd', KEYS[3], 0, jobs[i])
      expired = expired + 1
    end
  end
end
return {expired, stale}
`,
  3,
);

/**
 * Frees the slots of worker processes that died while holding them, within about
 * CLIENT_TIMEOUT_MS + 2 × SWEEP_INTERVAL_MS (10 s). A client counts as dead only when two sweeps
 * in a row find it unseen: Bottleneck sets a live client's "last seen" to 0 when it is slow to pass
 * on capacity, and its next heartbeat, before the second sweep, clears that.
 */
export class DeadClientReaper {
  private readonly suspects = new Map<string, readonly string[]>();

  constructor(
    private readonly redis: RedisClient,
    private readonly logger: Logger,
  ) {}

  async sweep(limiter: ClusterLimiter): Promise<void> {
    const id = limiter.spec.id;
    const keys = [`b_${id}_job_clients`, `b_${id}_client_last_seen`, `b_${id}_job_expirations`];
    try {
      const reply = await EXPIRE_DEAD_CLIENT_JOBS.run(this.redis, keys, [Date.now() - CLIENT_TIMEOUT_MS, ...(this.suspects.get(id) ?? [])]);
      const [expired, stale] = reply as [number, string[]];
      this.suspects.set(id, stale);
      if (expired === 0) return;
      this.logger.warn(`rate limiter ${id}: freed ${expired} slot(s) held by a process that stopped answering`);
      // Any limiter call runs Bottleneck's tick, which frees expired jobs and announces the room.
      await limiter.running();
    } catch (error) {
      this.logger.debug(`rate limiter ${id}: dead-client sweep failed: ${messageOf(error)}`);
    }
  }
}
