import { RedisScript } from '@switchyard/redis';
import { RATE_SPAN_S } from './health-window';

/**
 * KEYS: state hash, window hash, rate hash, probe key. ARGV: ok (1/0), latency ms, model, EWMA
 * alpha, failure threshold, error rate, min requests, window bucket width s, window buckets,
 * cooldown ms, window s, provider, channel, calls (successes arrive in batches: their count, with
 * their mean latency, which moves the EWMA as that many samples would).
 *
 * Counts one provider call and moves the circuit, atomically across processes: closed → open on a
 * failure streak or a high error rate; open past its cooldown (half-open) → closed on a success,
 * or open again with a fresh cooldown on a failure. Calls that end while still cooling down move
 * nothing: they started before the opening. Time is Redis's own, so workers with skewed clocks
 * fill the same buckets. Returns {''} or {transition, reason, message}, the message being what
 * was published (the circuit fields as JSON).
 */
export const RECORD_OUTCOME = new RedisScript(
  'record-provider-outcome',
  `
local time = redis.call('TIME')
local now_s = tonumber(time[1])
local now_ms = now_s * 1000 + math.floor(tonumber(time[2]) / 1000)
local ok = ARGV[1] == '1'
local calls = tonumber(ARGV[14])

-- Forgets the buckets a hash's span has moved past: once per new bucket, not once per call.
local function roll(hash, marker, bucket, keep)
  if redis.call('HGET', KEYS[1], marker) == tostring(bucket) then return end
  for _, field in ipairs(redis.call('HKEYS', hash)) do
    if tonumber(string.match(field, '%d+$')) <= bucket - keep then redis.call('HDEL', hash, field) end
  end
  redis.call('HSET', KEYS[1], marker, bucket)
end

local width = tonumber(ARGV[8])
local buckets = tonumber(ARGV[9])
local window_bucket = math.floor(now_s / width)
roll(KEYS[2], 'window_bucket', window_bucket, buckets)
redis.call('HINCRBY', KEYS[2], 'r:' .. window_bucket, calls)
if not ok then redis.call('HINCRBY', KEYS[2], 'f:' .. window_bucket, 1) end
redis.call('EXPIRE', KEYS[2], width * (buckets + 1))
roll(KEYS[3], 'rate_bucket', now_s, ${RATE_SPAN_S})
redis.call('HINCRBY', KEYS[3], now_s, calls)
redis.call('EXPIRE', KEYS[3], ${RATE_SPAN_S + 1})

local consecutive = 0
if ok then
  local field = 'ewma:' .. ARGV[3]
  local latency = tonumber(ARGV[2])
  local previous = tonumber(redis.call('HGET', KEYS[1], field) or '')
  local alpha = 1 - (1 - tonumber(ARGV[4])) ^ calls
  if previous then latency = alpha * latency + (1 - alpha) * previous end
  redis.call('HSET', KEYS[1], field, tostring(latency))
  redis.call('HSET', KEYS[1], 'consecutive_failures', 0)
else
  consecutive = redis.call('HINCRBY', KEYS[1], 'consecutive_failures', 1)
end

local transition, reason = '', ''
if (redis.call('HGET', KEYS[1], 'state') or 'closed') == 'open' then
  if now_ms >= tonumber(redis.call('HGET', KEYS[1], 'opened_at') or '0') + tonumber(ARGV[10]) then
    if ok then transition, reason = 'closed', 'a probe call succeeded'
    else transition, reason = 'opened', 'a probe call failed' end
  end
elseif not ok then
  if consecutive >= tonumber(ARGV[5]) then
    transition, reason = 'opened', string.format('%d failure%s in a row', consecutive, consecutive == 1 and '' or 's')
  else
    local requests, failures = 0, 0
    local counts = redis.call('HGETALL', KEYS[2])
    for i = 1, #counts, 2 do
      if string.sub(counts[i], 1, 1) == 'r' then requests = requests + tonumber(counts[i + 1])
      else failures = failures + tonumber(counts[i + 1]) end
    end
    if requests >= tonumber(ARGV[7]) and failures / requests >= tonumber(ARGV[6]) then
      transition = 'opened'
      reason = string.format('%d of %d calls failed in the last %d s', failures, requests, tonumber(ARGV[11]))
    end
  end
end
if transition == '' then return {''} end

if transition == 'opened' then
  redis.call('HSET', KEYS[1], 'state', 'open', 'opened_at', now_ms)
  redis.call('HINCRBY', KEYS[1], 'opened_count', 1)
  redis.call('DEL', KEYS[4])
else
  redis.call('HSET', KEYS[1], 'state', 'closed', 'consecutive_failures', 0)
  redis.call('HDEL', KEYS[1], 'opened_at')
  -- A closed circuit starts from a clean window, or the failures that opened it would reopen it.
  redis.call('DEL', KEYS[2], KEYS[4])
end
local fields = redis.call('HMGET', KEYS[1], 'state', 'opened_at', 'consecutive_failures', 'opened_count')
local message = cjson.encode({ provider = ARGV[12], state = fields[1], opened_at = fields[2], consecutive_failures = fields[3], opened_count = fields[4] })
redis.call('PUBLISH', ARGV[13], message)
return {transition, reason, message}
`,
  4,
);
