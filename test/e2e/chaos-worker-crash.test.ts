import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { api, jobStatusCounts, PrivateRedis, spawnApp, startGateway, startMockProvider, stopAll, type AppProcess, type Gateway, type MockProvider } from '../support';
import { TEAM_A_KEY, UPSTREAM_KEY, type JobLike } from './fixtures';

/** `CHAOS_PROFILE=long` (npm run chaos): the full size; CI runs a smaller copy. */
const LONG = process.env.CHAOS_PROFILE === 'long';
const JOBS = LONG ? 10_000 : 1_200;
const KILL_EVERY_MS = LONG ? 3_000 : 1_000;
const WORKERS = 3;

/** A 50 ms upstream, 5 calls at a time per worker: the run lasts long enough for several kills. */
function config(mock: MockProvider): string {
  return `
server: { host: 127.0.0.1 }
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY} }
providers:
  upstream:
    type: openai
    base_url: ${mock.baseUrl}/v1
    api_key: \${UPSTREAM_KEY}
    concurrency: 5
    retries: 0
models:
  m:
    targets: [{ provider: upstream, model: gpt-4o-mini }]
    cache: { mode: never }
worker: { lock_duration_ms: 2000, stalled_interval_ms: 1000 }
retention: { succeeded_s: 3600, failed_s: 3600 }
`;
}


describe(`chaos: workers killed with SIGKILL every ${KILL_EVERY_MS / 1000} s (${JOBS} jobs, ${WORKERS} workers)`, () => {
  let redis: PrivateRedis;
  let mock: MockProvider;
  let gateway: Gateway;
  let commands: Redis;

  before(async () => {
    redis = await PrivateRedis.start();
    commands = new Redis(redis.url);
    mock = await startMockProvider({ MOCK_LATENCY_MS: '50', MOCK_API_KEY: UPSTREAM_KEY });
    gateway = await startGateway({ redis, config: config(mock), apps: ['api', ...Array<'worker'>(WORKERS).fill('worker')], env: { UPSTREAM_KEY } });
  });
  after(async () => {
    commands?.disconnect();
    await stopAll();
    await redis?.stop();
  });

  it('finishes every job, none lost, none with two results; duplicate calls are counted', async () => {
    const client = api(gateway.baseUrl, TEAM_A_KEY);
    const ids: string[] = [];
    for (let start = 0; start < JOBS; start += 250) {
      const accepted = await Promise.all(
        Array.from({ length: Math.min(250, JOBS - start) }, async (_, i) => {
          const response = await client.post('/v1/jobs', { model: 'm', messages: [{ role: 'user', content: `chaos ${start + i}` }] });
          assert.equal(response.status, 202, response.text);
          return (response.body as JobLike).id;
        }),
      );
      ids.push(...accepted);
    }

    const statusCounts = (): Promise<Record<string, number>> => jobStatusCounts(commands);
    const env = { SWITCHYARD_CONFIG: gateway.configPath, REDIS_URL: redis.url, LOG_LEVEL: 'info', UPSTREAM_KEY };
    const workers: AppProcess[] = gateway.processes.filter((p) => p.name === 'worker');
    const starting: Array<Promise<AppProcess>> = [];
    let kills = 0;
    const deadline = Date.now() + (LONG ? 600_000 : 120_000);
    for (;;) {
      const counts = await statusCounts();
      const ended = (counts.succeeded ?? 0) + (counts.failed ?? 0) + (counts.canceled ?? 0) + (counts.expired ?? 0);
      if (ended >= JOBS) break;
      assert.ok(Date.now() < deadline, `not finished in time: ${JSON.stringify(counts)}`);
      await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS));
      if ((counts.succeeded ?? 0) < JOBS * 0.9) {
        // Kill the oldest running worker mid-run and start its replacement, as a crash-looping
        // pod would be; the replacement boots while the others carry on.
        const victim = workers.shift();
        if (victim) {
          await victim.kill('SIGKILL');
          kills++;
          starting.push(spawnApp('worker', { env, readyLine: /worker ready/i }).then((replacement) => (workers.push(replacement), replacement)));
        }
      }
    }
    await Promise.all(starting);

    const counts = await statusCounts();
    const stats = (await (await fetch(`${mock.baseUrl}/_control/stats`)).json()) as { total: number; by_request_id: Record<string, number> };
    const duplicates = Object.values(stats.by_request_id).filter((calls) => calls > 1).length;
    // Each job's record holds exactly one successful call: its single result.
    const twice = (await commands.eval(
      `local n = 0
       for _, id in ipairs(ARGV) do
         local attempts = redis.call('HGET', 'sy:job:' .. id, 'attempts') or ''
         local _, successes = string.gsub(attempts, '"outcome":"succeeded"', '')
         if successes ~= 1 then n = n + 1 end
       end
       return n`,
      0,
      ...ids,
    )) as number;
    process.stdout.write(
      `chaos worker-crash: ${JOBS} jobs, ${kills} SIGKILLs of ${WORKERS} workers; ${counts.succeeded ?? 0} succeeded, ` +
        `${JOBS - (counts.succeeded ?? 0)} lost or failed, ${twice} with other than one result; ` +
        `${stats.total} provider calls, ${duplicates} jobs called more than once\n`,
    );
    assert.ok(kills >= 2, `only ${kills} kills: the run was too short to test anything`);
    assert.deepEqual(counts, { succeeded: JOBS });
    assert.equal(twice, 0);
  });
});
