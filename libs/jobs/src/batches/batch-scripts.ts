import { RedisScript } from '@switchyard/redis';

/**
 * KEYS: batch. ARGV: total, now_ms. The input is valid: a validating batch starts. The line count
 * is written whatever the status, so a batch canceled or expired while it was validated can still
 * account for each of its lines. Returns the status after the call.
 */
export const START_BATCH = new RedisScript('start-batch', `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if status ~= 'validating' and status ~= 'in_progress' and status ~= 'cancelling' then return status end
redis.call('HSETNX', KEYS[1], 'total', ARGV[1])
if status == 'validating' then
  redis.call('HSET', KEYS[1], 'status', 'in_progress', 'in_progress_at', ARGV[2])
  return 'in_progress'
end
return status
`, 1);

/** KEYS: batch. ARGV: errors (JSON), now_ms, ttl_s. The input is invalid: the batch fails. */
export const FAIL_BATCH = new RedisScript('fail-batch', `
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'validating' and status ~= 'cancelling' then return status or 'missing' end
redis.call('HSET', KEYS[1], 'status', 'failed', 'failed_at', ARGV[2], 'errors', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 'failed'
`, 1);

/**
 * KEYS: batch. ARGV: owner, now_ms. A validating or running batch starts cancelling (owner checked
 * here, so cancelling someone else's batch is as impossible as reading it). Returns the outcome
 * and the status the batch had.
 */
export const CANCEL_BATCH = new RedisScript('cancel-batch', `
local status = redis.call('HGET', KEYS[1], 'status')
if not status or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return {'missing'} end
if status ~= 'validating' and status ~= 'in_progress' then return {'unchanged', status} end
redis.call('HSET', KEYS[1], 'status', 'cancelling', 'cancelling_at', ARGV[2])
return {'cancelling', status}
`, 1);

/** KEYS: batch. ARGV: now_ms. The deadline passed: marks the batch expired; it ends so once finalized. */
export const MARK_EXPIRED = new RedisScript('mark-batch-expired', `
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'validating' and status ~= 'in_progress' and status ~= 'cancelling' then return status or 'missing' end
redis.call('HSETNX', KEYS[1], 'expired_at', ARGV[1])
return status
`, 1);

/**
 * KEYS: batch, its line bitmap, output lines, error lines. ARGV: line, 'completed' or 'failed', the
 * line as JSON, input tokens, output tokens, cached tokens, reasoning tokens, ttl_s of the lists.
 * Records a line's outcome once: a second record of the same line (a job whose end is reported
 * twice) changes nothing. Returns {recorded (0/1), lines done, total (-1 unknown)}.
 */
export const RECORD_LINE = new RedisScript('record-batch-line', `
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'in_progress' and status ~= 'cancelling' then return {0} end
if redis.call('SETBIT', KEYS[2], ARGV[1], 1) == 1 then return {0} end
local list = KEYS[4]
if ARGV[2] == 'completed' then list = KEYS[3] end
redis.call('RPUSH', list, ARGV[3])
redis.call('EXPIRE', list, ARGV[8])
redis.call('EXPIRE', KEYS[2], ARGV[8])
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
if ARGV[4] ~= '0' then redis.call('HINCRBY', KEYS[1], 'input_tokens', ARGV[4]) end
if ARGV[5] ~= '0' then redis.call('HINCRBY', KEYS[1], 'output_tokens', ARGV[5]) end
if ARGV[6] ~= '0' then redis.call('HINCRBY', KEYS[1], 'cached_tokens', ARGV[6]) end
if ARGV[7] ~= '0' then redis.call('HINCRBY', KEYS[1], 'reasoning_tokens', ARGV[7]) end
local done = tonumber(redis.call('HGET', KEYS[1], 'completed') or '0') + tonumber(redis.call('HGET', KEYS[1], 'failed') or '0')
return {1, done, tonumber(redis.call('HGET', KEYS[1], 'total') or '-1')}
`, 4);

/**
 * KEYS: batch. ARGV: now_ms, output file id, error file id ('' for none). Every line is recorded:
 * the batch starts writing its files. A repeated call (a finalizer that died) gets the same file
 * ids back, so it writes the same files again. Returns {status, output id, error id}.
 */
export const BEGIN_FINALIZE = new RedisScript('begin-batch-finalize', `
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'in_progress' or status == 'cancelling' then
  local total = tonumber(redis.call('HGET', KEYS[1], 'total') or '-1')
  local done = tonumber(redis.call('HGET', KEYS[1], 'completed') or '0') + tonumber(redis.call('HGET', KEYS[1], 'failed') or '0')
  if total < 0 or done < total then return {'unfinished'} end
  redis.call('HSET', KEYS[1], 'status', 'finalizing', 'finalizing_at', ARGV[1])
  if ARGV[2] ~= '' then redis.call('HSETNX', KEYS[1], 'output_file_id', ARGV[2]) end
  if ARGV[3] ~= '' then redis.call('HSETNX', KEYS[1], 'error_file_id', ARGV[3]) end
  status = 'finalizing'
end
if status ~= 'finalizing' then return {status or 'missing'} end
return {status, redis.call('HGET', KEYS[1], 'output_file_id') or '', redis.call('HGET', KEYS[1], 'error_file_id') or ''}
`, 1);

/**
 * KEYS: batch, then its keys that only mattered until now. ARGV: now_ms, ttl_s. The files are
 * written: the batch ends cancelled if it was cancelling, expired if its deadline passed, else
 * completed, and is kept ttl_s more. Returns the final status.
 */
export const FINISH_BATCH = new RedisScript('finish-batch', `
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'finalizing' then return status or 'missing' end
local final = 'completed'
if redis.call('HEXISTS', KEYS[1], 'cancelling_at') == 1 then final = 'cancelled'
elseif redis.call('HEXISTS', KEYS[1], 'expired_at') == 1 then final = 'expired' end
redis.call('HSET', KEYS[1], 'status', final)
redis.call('HSETNX', KEYS[1], final .. '_at', ARGV[1])
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return final
`, 6);
