import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { RedisConnections } from '@switchyard/redis';
import type { CacheKey } from './cache-key';
import type { CachedResponse } from './cached-response';
import { CacheRedisKeys, FOLLOWERS_SUFFIX } from './cache-redis-keys';
import { CLAIM, COMPLETE, ORPHANS } from './inflight-scripts';

export type ClaimRole = { role: 'leader' } | { role: 'follower'; leader: string } | { role: 'hit'; response: CachedResponse };

/** How the leader's call ended. On success the answer is stored in the cache in the same step. */
export type InflightOutcome = { ok: true; response: CachedResponse; ttlS: number } | { ok: false };

/** A follower whose leader vanished without completing, so it must run again. */
export interface OrphanedFollower {
  key: CacheKey;
  jobId: string;
}

/**
 * After its lease a leader's followers stay findable this much longer, so a sweep that runs late
 * still finds them. Past it they are still safe: each follower's own delayed re-check (below)
 * does not depend on this set.
 */
const FOLLOWERS_GRACE_MS = 3_600_000;
const DEFAULT_SWEEP_LIMIT = 500;

/**
 * Coalescing of identical in-flight requests across every worker process: of the jobs with one
 * cache key, one (the leader) calls the provider, the others (followers) wait for its answer.
 *
 * State in Redis, per cache key: the claim (leader's job id, expiring after `leaseMs`), the set
 * of follower job ids, and one index of keys with followers scored by lease end.
 *
 * The protocol the worker follows (JobRunner), for a job whose CachePolicy decision is enabled:
 * 1. `ResponseCache.get(key)`: a hit finishes the job from the cache.
 * 2. `claim(key, jobId, leaseMs)`, leaseMs covering the whole call (provider timeout plus a margin;
 *    claim once the limiter admits the call, or claim again then, which renews a leader's lease):
 *    - leader: call the provider, then `complete(key, jobId, outcome)`; on success finish every
 *      returned follower with the same result marked cached, on failure re-queue them to run on
 *      their own (without claiming, so one failing request does not fail them one after another);
 *    - follower: add a delayed re-check of this job to the queue (delay = leaseMs) and release
 *      the worker slot.
 * 3. The re-check, when it runs: the job already finished → nothing to do; a cache hit → finish
 *    from it; otherwise `claim` again: the leader vanished → it leads now and calls; a leader is
 *    still there (renewed, or a new one) → delay again.
 *
 * Why nothing waits forever: the delayed re-check is a BullMQ entry, durable in Redis, so every
 * follower runs again no later than one lease after it joined, whatever happened meanwhile:
 * - the leader crashed mid-call: its claim expires with the lease and the re-check takes over;
 * - the leader crashed after `complete` but before finishing its followers (they are already gone
 *   from the set): on success the answer was stored by `complete` itself, so the re-check hits the
 *   cache; on failure the claim is gone, so the re-check calls;
 * - the leader is only slow: the re-check calls a second time; the first terminal write of the
 *   job record wins, so no job gets two results.
 * `orphans()` is the same rescue from the Redis side for a periodic sweep: it drains followers of
 * keys whose lease ended with no claim left; a worker without delayed re-checks re-queues those.
 * Every follower id comes back exactly once in total from `complete` and `orphans`.
 */
@Injectable()
export class InflightCalls {
  private readonly keys: CacheRedisKeys;

  constructor(
    private readonly connections: RedisConnections,
    config: SwitchyardConfig,
  ) {
    this.keys = new CacheRedisKeys(config.redis.prefix);
  }

  async claim(key: CacheKey, jobId: string, leaseMs: number): Promise<ClaimRole> {
    const [role, leader] = (await CLAIM.run(
      this.connections.commands,
      [this.keys.claim(key), this.keys.followers(key), this.keys.waiting(), this.keys.response(key)],
      [jobId, Math.max(1, Math.ceil(leaseMs)), key, FOLLOWERS_GRACE_MS],
    )) as [string, string?];
    if (role === 'hit') return { role: 'hit', response: JSON.parse(leader ?? '') as CachedResponse };
    return role === 'leader' ? { role: 'leader' } : { role: 'follower', leader: leader ?? '' };
  }

  /** The ids of the jobs that waited for this leader, each returned once; see the class comment. */
  async complete(key: CacheKey, jobId: string, outcome: InflightOutcome): Promise<string[]> {
    const stored = outcome.ok ? JSON.stringify(outcome.response) : '';
    const ttlS = outcome.ok ? Math.max(1, Math.ceil(outcome.ttlS)) : 0;
    return (await COMPLETE.run(
      this.connections.commands,
      [this.keys.claim(key), this.keys.followers(key), this.keys.waiting(), this.keys.response(key)],
      [jobId, key, outcome.ok ? '1' : '0', stored, ttlS],
    )) as string[];
  }

  /** Followers whose leader's lease ended with no claim left, drained so each is returned once. */
  async orphans(limit = DEFAULT_SWEEP_LIMIT): Promise<OrphanedFollower[]> {
    const flat = (await ORPHANS.run(this.connections.commands, [this.keys.waiting()], [this.keys.claimPrefix(), FOLLOWERS_SUFFIX, limit])) as string[];
    const orphans: OrphanedFollower[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) orphans.push({ key: flat[i], jobId: flat[i + 1] });
    return orphans;
  }

  /** The job id leading this key now, if any: lets a re-check tell a live leader from none. */
  async leader(key: CacheKey): Promise<string | null> {
    return this.connections.commands.get(this.keys.claim(key));
  }
}
