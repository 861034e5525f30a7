import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, PrivateRedis, spawnApp, startGateway, startMockProvider, stopAll, waitFor, type Gateway, type MockProvider } from '../support';
import { chat, GATEWAY_ENV, gatewayConfig, TEAM_A_KEY, type JobLike } from './fixtures';

const TERMINAL = ['succeeded', 'failed', 'canceled', 'expired'];

describe('several API and worker processes against one Redis', () => {
  let redis: PrivateRedis;
  let mock: MockProvider;
  let gateway: Gateway;

  before(async () => {
    redis = await PrivateRedis.start();
    mock = await startMockProvider();
    gateway = await startGateway({
      redis,
      // Short locks so a killed worker's jobs are recovered within seconds.
      config: gatewayConfig({ mockProviderUrl: mock.baseUrl, slowConcurrency: 20, lockDurationMs: 2000, stalledIntervalMs: 1000 }),
      apps: ['api', 'api', 'worker', 'worker'],
      env: GATEWAY_ENV,
    });
  });

  after(async () => {
    await stopAll();
    await redis?.stop();
  });

  it('completes jobs submitted to either API, each readable from the other', async () => {
    const [first, second] = gateway.baseUrls.map((url) => api(url, TEAM_A_KEY));
    const submitted = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const via = i % 2 === 0 ? first : second;
        const response = await via.post('/v1/jobs', chat(i % 3 === 0 ? 'mock-echo' : 'gpt-mock', `job ${i}`));
        assert.equal(response.status, 202, response.text);
        return { id: (response.body as JobLike).id, other: i % 2 === 0 ? second : first };
      }),
    );
    const finished = await Promise.all(submitted.map(async ({ id, other }) => (await other.get(`/v1/jobs/${id}?wait=60`)).body as JobLike));
    assert.deepEqual(
      finished.map((job) => job.status),
      finished.map(() => 'succeeded'),
    );
    // Both workers took part.
    const workerOutputs = gateway.processes.filter((p) => p.name === 'worker');
    assert.equal(workerOutputs.length, 2);
  });

  it('recovers the jobs of a worker killed with SIGKILL mid-job once another worker runs', async () => {
    const client = api(gateway.baseUrls[0], TEAM_A_KEY);
    const ids = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const response = await client.post('/v1/jobs', chat('gpt-slow', `survive ${i} #mock{"latency_ms":1500}`));
        assert.equal(response.status, 202, response.text);
        return (response.body as JobLike).id;
      }),
    );
    // Wait until work is in flight, then kill one worker hard.
    await waitFor(async () => {
      const states = await Promise.all(ids.map(async (id) => ((await client.get(`/v1/jobs/${id}`)).body as JobLike).status));
      return states.filter((s) => s === 'active').length >= 10;
    }, { timeoutMs: 15_000, message: 'jobs never became active' });
    const [victim] = gateway.processes.filter((p) => p.name === 'worker');
    await victim.kill('SIGKILL');

    const replacement = await spawnApp('worker', {
      env: { SWITCHYARD_CONFIG: gateway.configPath, REDIS_URL: redis.url, LOG_LEVEL: 'info', ...GATEWAY_ENV },
      readyLine: /worker ready/i,
    });
    assert.ok(replacement.running);

    const finished = await Promise.all(ids.map(async (id) => (await client.get(`/v1/jobs/${id}?wait=60`)).body as JobLike));
    for (const job of finished) assert.ok(TERMINAL.includes(job.status), `${job.id} is still ${job.status}`);
    assert.equal(finished.filter((job) => job.status === 'succeeded').length, ids.length);
  });
});
