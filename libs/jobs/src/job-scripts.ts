import { RedisScript } from '@switchyard/redis';

// Job records are hashes whose JSON fields are opaque strings to Lua: cjson would turn empty
// arrays into objects and round large integers, corrupting a client's request.
const IS_TERMINAL = `
local function is_terminal(status)
  return status == 'succeeded' or status == 'failed' or status == 'canceled' or status == 'expired'
end
`;

/** KEYS: job. ARGV: provider, provider model, now_ms. Marks the job active unless it already ended. */
export const START_JOB = new RedisScript('start-job', `${IS_TERMINAL}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'missing'} end
if is_terminal(status) then return {'terminal', status} end
redis.call('HSET', KEYS[1], 'status', 'active', 'provider', ARGV[1], 'provider_model', ARGV[2])
redis.call('HSETNX', KEYS[1], 'started_at', ARGV[3])
return {'started', redis.call('HGET', KEYS[1], 'request')}
`, 1);

/**
 * KEYS: job, events channel. ARGV: status, finished_at_ms, ttl_s, attempt, result, error, usage
 * (JSON or ''), cost_usd (or ''). The first terminal write wins; later ones (a duplicate run, a result racing a
 * cancel) change nothing.
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
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', KEYS[2], ARGV[1])
return 1
`, 2);

/**
 * KEYS: job, events channel. ARGV: owner, now_ms, ttl_s, error. Owner is checked here so that
 * reading and canceling someone else's job are equally impossible.
 */
export const CANCEL_JOB = new RedisScript('cancel-job', `${IS_TERMINAL}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return {'missing'} end
if is_terminal(status) then return {'terminal', status} end
redis.call('HSET', KEYS[1], 'status', 'canceled', 'finished_at', ARGV[2], 'error', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', KEYS[2], 'canceled')
return {'canceled', status}
`, 2);
