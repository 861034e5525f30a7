import { RedisScript } from '@switchyard/redis';

// Job records are hashes whose JSON fields are opaque strings to Lua: cjson would turn empty
// arrays into objects and round large integers, corrupting a client's request.
const IS_TERMINAL = `
local function is_terminal(status)
  return status == 'succeeded' or status == 'failed' or status == 'canceled' or status == 'expired'
end
`;

/**
 * KEYS: job, the provider queue's virtual time (fair queuing). ARGV: hop, provider, provider
 * model, now_ms, the entry's fair-queuing tag. Marks the job active unless it already ended or
 * moved on to a later hop (a queue entry left behind by a crash in the middle of a reroute); in
 * both cases the job's fields come back, so the caller can finish what the crash interrupted.
 */
export const START_JOB = new RedisScript('start-job', `${IS_TERMINAL}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'missing'} end
if is_terminal(status) then return {'terminal', status} end
if (redis.call('HGET', KEYS[1], 'hop') or '0') ~= ARGV[1] then return {'moved', redis.call('HGETALL', KEYS[1])} end
redis.call('HSET', KEYS[1], 'status', 'active', 'provider', ARGV[2], 'provider_model', ARGV[3])
redis.call('HSETNX', KEYS[1], 'started_at', ARGV[4])
local tag = tonumber(ARGV[5])
if tag > tonumber(redis.call('GET', KEYS[2]) or '0') then redis.call('SET', KEYS[2], ARGV[5]) end
return {'started', redis.call('HGETALL', KEYS[1])}
`, 2);

/**
 * KEYS: job. ARGV: from hop, attempt (JSON, or '' for none), to hop, target index, tries on that
 * target. Records a failed attempt and puts the job back to queued for its next hop (a retry, a
 * fallback, a wait after a provider 429, or a wait for an identical call another job makes). Only the holder of the current hop can move it, so a crashed and
 * repeated move changes nothing the second time.
 */
export const MOVE_JOB = new RedisScript('move-job', `${IS_TERMINAL}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if is_terminal(status) then return 'terminal' end
if (redis.call('HGET', KEYS[1], 'hop') or '0') ~= ARGV[1] then return 'stale' end
if ARGV[2] ~= '' then
  local attempts = redis.call('HGET', KEYS[1], 'attempts')
  if attempts == '[]' then attempts = '[' .. ARGV[2] .. ']'
  else attempts = string.sub(attempts, 1, -2) .. ',' .. ARGV[2] .. ']' end
  redis.call('HSET', KEYS[1], 'attempts', attempts)
end
redis.call('HSET', KEYS[1], 'status', 'queued', 'hop', ARGV[3], 'target_index', ARGV[4], 'tries', ARGV[5])
return 'moved'
`, 1);

/**
 * KEYS: job. ARGV: owner, hop, targets (JSON), ttl_s. Sends a job that ended without a result
 * through routing again: back to queued on a new hop, its attempts kept as history.
 */
export const RETRY_JOB = new RedisScript('retry-job', `
local status = redis.call('HGET', KEYS[1], 'status')
if not status or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return {'missing'} end
if status ~= 'failed' and status ~= 'canceled' and status ~= 'expired' then return {'not_retryable', status} end
redis.call('HSET', KEYS[1], 'status', 'queued', 'hop', ARGV[2], 'target_index', '0', 'tries', '0', 'targets', ARGV[3])
redis.call('HDEL', KEYS[1], 'error', 'result', 'usage', 'cost_usd', 'finished_at', 'deadline', 'cached')
redis.call('EXPIRE', KEYS[1], ARGV[4])
return {'queued', status}
`, 1);

/**
 * KEYS: job, events channel, direct-call leases. ARGV: status, finished_at_ms, ttl_s, attempt, result, error, usage
 * (JSON or ''), cost_usd (or ''), the owner's unfinished-jobs set prefix, cached ('1' when the
 * result is shared, not the job's own call), then the usage keys (UsageLedger.finishArgs): the
 * day's per-key hash prefix, the day's key set, the month's per-key spend prefix, their ttl_s;
 * last, '1' when the waiting API process ran the call itself and answers from its own result.
 * The first terminal write wins; later ones (a duplicate run, a result racing a cancel) change
 * nothing. A succeeded job's usage is counted in the same step, so the usage sums match the jobs
 * exactly: `<provider> <model> requests|prompt|completion|cost` (cost in 1e-8 USD). A waiting
 * API process (the record's `notify` channel) gets `<id> <status> <result>`, so it answers
 * without reading the record back.
 */
export const FINISH_JOB = new RedisScript('finish-job', `${IS_TERMINAL}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or is_terminal(status) then return 0 end
if ARGV[4] ~= '' then
  local attempts = redis.call('HGET', KEYS[1], 'attempts')
  if attempts == '[]' then attempts = '[' .. ARGV[4] .. ']'
  else attempts = string.sub(attempts, 1, -2) .. ',' .. ARGV[4] .. ']' end
  redis.call('HSET', KEYS[1], 'attempts', attempts)
end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'finished_at', ARGV[2])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'result', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[6]) end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'usage', ARGV[7]) end
if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], 'cost_usd', ARGV[8]) end
if ARGV[10] == '1' then redis.call('HSET', KEYS[1], 'cached', '1') end
local owner = redis.call('HGET', KEYS[1], 'owner')
local id = string.match(KEYS[1], '[^:]+$')
redis.call('ZREM', ARGV[9] .. owner, id)
redis.call('ZREM', KEYS[3], id)
redis.call('EXPIRE', KEYS[1], ARGV[3])
if ARGV[1] == 'succeeded' and ARGV[7] ~= '' then
  local usage = cjson.decode(ARGV[7])
  local group = (redis.call('HGET', KEYS[1], 'provider') or '-') .. ' ' .. redis.call('HGET', KEYS[1], 'model') .. ' '
  local cost = ARGV[8] ~= '' and math.floor(tonumber(ARGV[8]) * 1e8 + 0.5) or 0
  local day = ARGV[11] .. owner
  redis.call('HINCRBY', day, group .. 'requests', 1)
  redis.call('HINCRBY', day, group .. 'prompt', string.format('%d', tonumber(usage.prompt_tokens) or 0))
  redis.call('HINCRBY', day, group .. 'completion', string.format('%d', tonumber(usage.completion_tokens) or 0))
  redis.call('HINCRBY', day, group .. 'cost', string.format('%d', cost))
  redis.call('EXPIRE', day, ARGV[14])
  redis.call('SADD', ARGV[12], owner)
  redis.call('EXPIRE', ARGV[12], ARGV[14])
  if cost > 0 then
    redis.call('INCRBY', ARGV[13] .. owner, string.format('%d', cost))
    redis.call('EXPIRE', ARGV[13] .. owner, ARGV[14])
  end
end
redis.call('PUBLISH', KEYS[2], ARGV[1])
local notify = redis.call('HGET', KEYS[1], 'notify')
if notify and ARGV[15] ~= '1' then redis.call('PUBLISH', notify, id .. ' ' .. ARGV[1] .. ' ' .. ARGV[5]) end
return 1
`, 3);

/**
 * KEYS: job, events channel. ARGV: owner ('' for any), now_ms, ttl_s, error, the owners'
 * unfinished-jobs set prefix, status (canceled or expired). Ends a job that has not ended, from
 * outside its worker: a cancel (owner checked here, so reading and canceling someone else's job
 * are equally impossible) or a deadline.
 */
export const END_JOB = new RedisScript('end-job', `${IS_TERMINAL}
local status = redis.call('HGET', KEYS[1], 'status')
local owner = redis.call('HGET', KEYS[1], 'owner')
if not status or (ARGV[1] ~= '' and owner ~= ARGV[1]) then return {'missing'} end
if is_terminal(status) then return {'terminal', status} end
redis.call('HSET', KEYS[1], 'status', ARGV[6], 'finished_at', ARGV[2], 'error', ARGV[4])
redis.call('ZREM', ARGV[5] .. owner, string.match(KEYS[1], '[^:]+$'))
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', KEYS[2], ARGV[6])
local notify = redis.call('HGET', KEYS[1], 'notify')
if notify then redis.call('PUBLISH', notify, string.match(KEYS[1], '[^:]+$') .. ' ' .. ARGV[6] .. ' ') end
return {'ended', status}
`, 2);

/**
 * KEYS: the owner's unfinished-jobs set. ARGV: job id, now_ms, max (0: no limit), stale_before_ms.
 * Counts and adds in one step, so two simultaneous submits cannot both take the last place.
 */
export const ADMIT_JOB = new RedisScript('admit-job', `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[4])
if tonumber(ARGV[3]) > 0 and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
`, 1);

/**
 * Start-time fair queuing: an entry's tag is the later of the queue's virtual time (the tag of the
 * last entry started) and the owner's previous finish tag, so owners with a backlog take turns
 * with owners that just arrived instead of queuing behind them. KEYS[1..2] below are the provider
 * queue's virtual time and its per-owner finish tags; ARGV[1..2] the owner and cost (1/weight).
 */
const TAKE_FAIR_TAG = `
local function take_fair_tag()
  local now = tonumber(redis.call('GET', KEYS[1]) or '0')
  local finish = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
  local tag = math.max(now, finish)
  redis.call('HSET', KEYS[2], ARGV[1], tostring(tag + tonumber(ARGV[2])))
  return tostring(tag)
end
`;

/** KEYS: the provider queue's virtual time, its per-owner finish tags. ARGV: owner, cost. */
export const FAIR_TAG = new RedisScript('fair-tag', `${TAKE_FAIR_TAG}
return take_fair_tag()
`, 2);

/**
 * KEYS: the first provider queue's virtual time, its finish tags, the job. ARGV: owner, cost,
 * time to live (s), then the record's fields and values. Writes a new job's record and takes its
 * fair-share tag on its first queue: one round trip for both on the submit path.
 */
export const CREATE_JOB = new RedisScript('create-job', `${TAKE_FAIR_TAG}
redis.call('HSET', KEYS[3], unpack(ARGV, 4))
redis.call('EXPIRE', KEYS[3], ARGV[3])
return take_fair_tag()
`, 3);

/**
 * KEYS: the first provider queue's virtual time, its finish tags, the job, the direct-call leases,
 * then that queue's BullMQ wait list, prioritized set, meta hash and limiter key. ARGV: owner,
 * cost, time to live (s), now_ms, lease expiry_ms, the first score past the interactive band,
 * provider, provider model, then the record's fields and values. CREATE_JOB, and when nothing of
 * the interactive band waits on the queue and it is neither paused nor held by a provider 429,
 * the job starts at once under a lease of the API process that runs it (DirectCalls): the call a
 * free worker would have taken next. Returns {tag, 'direct' | 'queued'}.
 */
export const CREATE_DIRECT_JOB = new RedisScript('create-direct-job', `${TAKE_FAIR_TAG}
redis.call('HSET', KEYS[3], unpack(ARGV, 9))
redis.call('EXPIRE', KEYS[3], ARGV[3])
local tag = take_fair_tag()
local held = tonumber(redis.call('GET', KEYS[8]) or '0') or 0
if redis.call('LLEN', KEYS[5]) > 0 or redis.call('ZCOUNT', KEYS[6], '-inf', '(' .. ARGV[6]) > 0
  or redis.call('HEXISTS', KEYS[7], 'paused') == 1 or held >= 1e15 then
  return {tag, 'queued'}
end
redis.call('HSET', KEYS[3], 'status', 'active', 'provider', ARGV[7], 'provider_model', ARGV[8], 'started_at', ARGV[4])
redis.call('ZADD', KEYS[4], ARGV[5], string.match(KEYS[3], '[^:]+$'))
if tonumber(tag) > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], tag) end
return {tag, 'direct'}
`, 8);

/**
 * KEYS: the direct-call leases. ARGV: now_ms, hold_ms, at most this many, the job key prefix.
 * Direct calls whose API process stopped renewing their lease (it died): each unfinished one is
 * held for hold_ms more and its fields returned, for the caller to queue its current hop and then
 * drop the lease; a caller that dies meanwhile leaves it to the next sweep. Finished ones go.
 */
export const EXPIRED_LEASES = new RedisScript('expired-leases', `${IS_TERMINAL}
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local unfinished = {}
for _, id in ipairs(ids) do
  local status = redis.call('HGET', ARGV[4] .. id, 'status')
  if not status or is_terminal(status) then
    redis.call('ZREM', KEYS[1], id)
  else
    redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), id)
    table.insert(unfinished, {id, redis.call('HGETALL', ARGV[4] .. id)})
  end
end
return unfinished
`, 1);
