import { RedisScript } from '@switchyard/redis';

// Times come from Redis's own clock (TIME), not the callers': lease deadlines written by one
// process are compared by a sweep in another, and their clocks may disagree by more than a lease.
const REDIS_NOW_MS = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * KEYS: claim, followers, waiting index, response. ARGV: job id, lease ms, cache key, followers
 * grace ms. An answer stored since the caller's cache lookup is handed back at once (a leader that
 * finished in between must not make this job a second leader). The first job becomes the leader (SET with PX: the claim dies with the lease if the leader
 * does). The leader itself claiming again (BullMQ re-running its stalled entry) stays leader and
 * renews its lease. Anyone else joins the followers and the waiting index, scored by the
 * leader's lease end so the orphan sweep knows when to look. All in one script: a follower can
 * never register just after the leader drained the set and be forgotten.
 */
export const CLAIM = new RedisScript('cache-claim', `${REDIS_NOW_MS}
local stored = redis.call('GET', KEYS[4])
if stored then return {'hit', stored} end
local leader = redis.call('GET', KEYS[1])
if not leader or leader == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  -- A follower whose leader vanished takes over; it must not also wait for itself.
  redis.call('SREM', KEYS[2], ARGV[1])
  return {'leader'}
end
redis.call('SADD', KEYS[2], ARGV[1])
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then pttl = 0 end
redis.call('ZADD', KEYS[3], now_ms() + pttl, ARGV[3])
redis.call('PEXPIRE', KEYS[2], pttl + tonumber(ARGV[4]))
return {'follower', leader}
`, 4);

/**
 * KEYS: claim, followers, waiting index, response. ARGV: job id, cache key, '1' on success or
 * '0', response JSON, ttl s. Stores the answer (on success), drops the claim if it is still
 * the caller's, and hands back every follower exactly once (SMEMBERS and DEL together). The
 * answer is stored in the same step, so from the moment the claim is gone an identical request
 * finds a cache hit rather than becoming a new leader.
 *
 * A leader whose lease ran out and was replaced: on success its answer is as good as the new
 * leader's, so it still serves everyone waiting; on failure it leaves them to the new leader.
 */
export const COMPLETE = new RedisScript('cache-complete', `
local leader = redis.call('GET', KEYS[1])
if leader == ARGV[1] then
  redis.call('DEL', KEYS[1])
elseif leader and ARGV[3] == '0' then
  return {}
end
if ARGV[3] == '1' and ARGV[4] ~= '' then redis.call('SET', KEYS[4], ARGV[4], 'EX', ARGV[5]) end
local followers = redis.call('SMEMBERS', KEYS[2])
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[2])
return followers
`, 4);

/**
 * KEYS: waiting index. ARGV: claim key prefix, followers suffix, limit. For each cache key whose
 * leader's lease is due: if a claim exists again (the lease was renewed, or a new leader came),
 * look again when that one ends; if not, the leader vanished without completing, so its
 * followers are drained and returned as flat [cache key, job id, ...] pairs.
 *
 * Builds claim and followers keys from the index's members: under Redis Cluster that is safe only
 * because the configured prefix is a hash tag, which puts every key of the gateway on one slot.
 */
export const ORPHANS = new RedisScript('cache-orphans', `${REDIS_NOW_MS}
local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, key in ipairs(due) do
  local claim = ARGV[1] .. key
  local pttl = redis.call('PTTL', claim)
  if pttl > 0 then
    redis.call('ZADD', KEYS[1], now + pttl, key)
  else
    local followers = claim .. ARGV[2]
    for _, job in ipairs(redis.call('SMEMBERS', followers)) do
      out[#out + 1] = key
      out[#out + 1] = job
    end
    redis.call('DEL', followers)
    redis.call('ZREM', KEYS[1], key)
  end
end
return out
`, 1);
