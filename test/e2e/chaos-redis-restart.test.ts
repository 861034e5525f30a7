import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, PrivateRedis, startGateway, startMockProvider, stopAll, waitFor, type ApiClient, type ApiResponse, type Gateway, type MockProvider } from '../support';
import { TEAM_A_KEY, UPSTREAM_KEY, type JobLike } from './fixtures';

const LONG = process.env.CHAOS_PROFILE === 'long';
const JOBS = LONG ? 3_000 : 300;
/** An answer while Redis is down must come within this: a 503, never a hang or a 500. */
const DOWN_ANSWER_LIMIT_MS = 7_000;

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
    concurrency: 20
models:
  m:
    targets: [{ provider: upstream, model: gpt-4o-mini }]
    cache: { mode: never }
worker: { lock_duration_ms: 3000, stalled_interval_ms: 1000 }
`;
}

interface Acknowledged {
  id: string;
  at: number;
}

// Long (about three minutes): it runs with `npm run chaos`. Known open finding: while Redis is
// down a submit takes 15-19 s to get its 503 (the limit here is 7 s); see docs/RELIABILITY.md.
describe('chaos: Redis (AOF everysec) stopped and restarted under load', { skip: LONG ? false : 'runs with npm run chaos (CHAOS_PROFILE=long)' }, () => {
  let redis: PrivateRedis;
  let mock: MockProvider;
  let gateway: Gateway;
  let client: ApiClient;

  before(async () => {
    redis = await PrivateRedis.start({ extraArgs: ['--appendonly', 'yes', '--appendfsync', 'everysec'] });
    mock = await startMockProvider({ MOCK_LATENCY_MS: '20', MOCK_API_KEY: UPSTREAM_KEY });
    gateway = await startGateway({ redis, config: config(mock), apps: ['api', 'worker'], env: { UPSTREAM_KEY } });
    client = api(gateway.baseUrl, TEAM_A_KEY);
  });
  after(async () => {
    await stopAll();
    await redis?.stop();
  });

  async function submit(count: number, label: string): Promise<Acknowledged[]> {
    const acknowledged: Acknowledged[] = [];
    for (let start = 0; start < count; start += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, count - start) }, async (_, i) => {
          const response = await client.post('/v1/jobs', { model: 'm', messages: [{ role: 'user', content: `${label} ${start + i}` }] });
          if (response.status === 202) acknowledged.push({ id: (response.body as JobLike).id, at: Date.now() });
        }),
      );
    }
    return acknowledged;
  }

  /** While Redis is down: a submit and a read each answer 503 in the error shape, in time. */
  async function assertAnswers503(label: string): Promise<void> {
    for (const call of [() => client.post('/v1/jobs', { model: 'm', messages: [{ role: 'user', content: 'while down' }] }), () => client.get('/v1/jobs/job_01K00000000000000000000000')]) {
      const started = Date.now();
      const response: ApiResponse = await call();
      const took = Date.now() - started;
      assert.equal(response.status, 503, `${label}: ${response.status} ${response.text}`);
      assert.ok(took < DOWN_ANSWER_LIMIT_MS, `${label}: the 503 took ${took} ms`);
    }
  }

  async function unfinished(acknowledged: Acknowledged[]): Promise<Acknowledged[]> {
    const ended = await Promise.all(acknowledged.map(async (job) => ((await client.get(`/v1/jobs/${job.id}?wait=60`)).body as JobLike).status));
    return acknowledged.filter((_, i) => ended[i] !== 'succeeded');
  }

  it('answers 503 while Redis is shut down, recovers by itself, and finishes every acknowledged job', async () => {
    const acknowledged = await submit(JOBS, 'shutdown');
    assert.equal(acknowledged.length, JOBS);
    await redis.client().call('SHUTDOWN').catch(() => undefined);
    await waitFor(async () => !redis.running, { timeoutMs: 10_000, message: 'redis did not stop' });
    await assertAnswers503('redis shut down');
    await redis.restart();
    await waitFor(async () => (await client.get('/readyz').catch(() => undefined))?.status === 200, { timeoutMs: 30_000, message: 'the api did not recover' });
    const lost = await unfinished(acknowledged);
    process.stdout.write(`chaos redis-shutdown: ${JOBS} jobs acknowledged before SHUTDOWN, ${lost.length} not finished after the restart\n`);
    assert.deepEqual(lost, []);
  });

  it('after kill -9 loses at most the last second of acknowledged writes, and says how many', async () => {
    const before = await submit(JOBS, 'kill-9');
    // AOF everysec: what was acknowledged over a second before the crash is on disk.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const killedAt = Date.now();
    await redis.kill();
    await assertAnswers503('redis killed');
    await redis.restart();
    await waitFor(async () => (await client.get('/readyz').catch(() => undefined))?.status === 200, { timeoutMs: 30_000, message: 'the api did not recover' });
    const durable = before.filter((job) => job.at < killedAt - 1_000);
    const lost = await unfinished(durable);
    process.stdout.write(`chaos redis-kill-9: ${before.length} jobs acknowledged, ${durable.length} over a second before the kill, ${lost.length} of those not finished\n`);
    assert.ok(durable.length > 0);
    assert.deepEqual(lost, []);
  });
});
