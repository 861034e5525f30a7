import type { Redis } from 'ioredis';

/** Job records by status, counted inside Redis: one round trip however many jobs there are. */
const COUNT_BY_STATUS = `
local counts = {}
local cursor = '0'
repeat
  local page = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
  cursor = page[1]
  for _, key in ipairs(page[2]) do
    local status = redis.call('HGET', key, 'status')
    if status then counts[status] = (counts[status] or 0) + 1 end
  end
until cursor == '0'
local flat = {}
for status, n in pairs(counts) do table.insert(flat, status); table.insert(flat, n) end
return flat
`;

/** How many job records (`<prefix>:job:*`) are in each status. */
export async function jobStatusCounts(redis: Redis, prefix = 'sy'): Promise<Record<string, number>> {
  const flat = (await redis.eval(COUNT_BY_STATUS, 0, `${prefix}:job:*`)) as Array<string | number>;
  const counts: Record<string, number> = {};
  for (let i = 0; i < flat.length; i += 2) counts[String(flat[i])] = Number(flat[i + 1]);
  return counts;
}
