import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, gatewayStore, PrivateRedis, scaleTopologyRequested, startGateway, startMockProvider, stopAll, waitFor, type Gateway, type MockProvider } from '../support';
import { assertChatCompletion, chat, GATEWAY_ENV, gatewayConfig, TEAM_A_KEY, TEAM_B_KEY, UPSTREAM_KEY, type JobLike } from './fixtures';

interface MockRequestLog {
  request_id?: string;
  aborted?: boolean;
  has_authorization?: boolean;
}

describe('job lifecycle on one standalone process', () => {
  let redis: PrivateRedis;
  let mock: MockProvider;
  let gateway: Gateway;

  before(async () => {
    redis = await PrivateRedis.start();
    mock = await startMockProvider({ MOCK_API_KEY: UPSTREAM_KEY });
    gateway = await startGateway({ redis, config: gatewayConfig({ mockProviderUrl: mock.baseUrl }), env: GATEWAY_ENV });
  });

  after(async () => {
    await stopAll();
    await redis?.stop();
  });

  const teamA = () => api(gateway.baseUrl, TEAM_A_KEY);
  const teamB = () => api(gateway.baseUrl, TEAM_B_KEY);

  async function submit(body: Record<string, unknown>): Promise<JobLike> {
    const response = await teamA().post('/v1/jobs', body);
    assert.equal(response.status, 202, response.text);
    return response.body as JobLike;
  }

  async function mockRequests(): Promise<MockRequestLog[]> {
    const response = await api(mock.baseUrl).get('/_control/requests');
    const body = response.body as MockRequestLog[] | { data: MockRequestLog[] };
    return Array.isArray(body) ? body : body.data;
  }

  for (const [model, provider] of [['mock-echo', 'mock'], ['gpt-mock', 'upstream']] as const) {
    it(`submits, long-polls and returns a chat.completion through the ${provider} provider`, async () => {
      const job = await submit(chat(model, `hello from ${model}`, { metadata: { batch: 'b1' }, priority: 3 }));
      assert.match(job.id, /^job_[0-9A-Z]{26}$/);
      assert.equal(job.object, 'job');
      assert.equal(job.status, 'queued');
      assert.equal(job.model, model);
      assert.equal(typeof job.created_at, 'number');

      const polled = await teamA().get(`/v1/jobs/${job.id}?wait=20`);
      assert.equal(polled.status, 200);
      const done = polled.body as JobLike;
      assert.equal(done.status, 'succeeded', JSON.stringify(done));
      assert.equal(done.provider, provider);
      assertChatCompletion(done.result);
      assert.match(String(done.result.choices[0].message.content), new RegExp(`hello from ${model}`));
      assert.equal(done.attempts.length, 1);
      assert.equal(done.attempts[0].provider, provider);
      assert.equal(done.attempts[0].outcome, 'succeeded');
      assert.ok(done.attempts[0].latency_ms >= 0);
      assert.deepEqual(done.usage, done.result.usage);
      // Finished records expire after retention.succeeded_s (600 in this config).
      const store = await gatewayStore(redis);
      const ttl = await store.client.ttl(store.key(`job:${job.id}`));
      assert.ok(ttl > 0 && ttl <= 600, `ttl ${ttl}`);
    });
  }

  it('answers a long-poll as soon as the job ends, not at the end of the wait', async () => {
    const job = await submit(chat('gpt-mock', 'quick #mock{"latency_ms":300}'));
    const started = Date.now();
    const polled = await teamA().get(`/v1/jobs/${job.id}?wait=30`);
    assert.equal((polled.body as JobLike).status, 'succeeded');
    assert.ok(Date.now() - started < 10_000, 'the long-poll waited for its timeout');
  });

  it('returns the current state when a long-poll times out', async () => {
    const job = await submit(chat('gpt-mock', 'slow #mock{"latency_ms":4000}'));
    const polled = await teamA().get(`/v1/jobs/${job.id}?wait=1`);
    assert.equal(polled.status, 200);
    assert.ok(['queued', 'active'].includes((polled.body as JobLike).status));
  });

  it('records a provider failure on the job', async () => {
    const job = await submit(chat('gpt-mock', 'fail #mock{"status":400}'));
    const done = (await teamA().get(`/v1/jobs/${job.id}?wait=20`)).body as JobLike;
    assert.equal(done.status, 'failed');
    assert.equal(done.error?.code, 'invalid_request');
    assert.equal(done.attempts[0].outcome, 'failed');
  });

  it('processes 1,000 concurrently submitted jobs exactly once each', async () => {
    await api(mock.baseUrl).delete('/_control/requests');
    const ids = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => (await submit(chat('gpt-mock', `bulk job ${i}`))).id),
    );
    assert.equal(new Set(ids).size, 1000);
    const finished = await Promise.all(ids.map(async (id) => (await teamA().get(`/v1/jobs/${id}?wait=60`)).body as JobLike));
    const statuses = finished.reduce<Record<string, number>>((acc, job) => ({ ...acc, [job.status]: (acc[job.status] ?? 0) + 1 }), {});
    assert.deepEqual(statuses, { succeeded: 1000 });
    finished.forEach((job, i) => {
      assertChatCompletion(job.result);
      assert.match(String(job.result.choices[0].message.content), new RegExp(`bulk job ${i}\\b`));
    });
    const stats = (await api(mock.baseUrl).get('/_control/stats')).body as { by_request_id: Record<string, number> };
    for (const id of ids) assert.equal(stats.by_request_id[id], 1, `${id} reached the provider ${stats.by_request_id[id]} times`);
  });

  // With 4 workers the second job does not wait behind the first; scale-out.test covers the cross-process cancel.
  it('cancels a queued job before it reaches the provider, and aborts an active one upstream', { skip: scaleTopologyRequested() && 'holds a job queued with one worker at concurrency 1' }, async () => {
    // slow-upstream runs one job at a time: the first hangs, so the second stays queued.
    const active = await submit(chat('gpt-slow', 'hold the line #mock{"hang":true}'));
    await waitFor(async () => ((await teamA().get(`/v1/jobs/${active.id}`)).body as JobLike).status === 'active', {
      timeoutMs: 10_000,
      message: 'the hanging job never became active',
    });
    const queued = await submit(chat('gpt-slow', 'never sent upstream'));

    const canceledQueued = await teamA().post(`/v1/jobs/${queued.id}/cancel`);
    assert.equal(canceledQueued.status, 200, canceledQueued.text);
    assert.equal((canceledQueued.body as JobLike).status, 'canceled');

    const canceledActive = await teamA().post(`/v1/jobs/${active.id}/cancel`);
    assert.equal(canceledActive.status, 200, canceledActive.text);
    assert.equal((canceledActive.body as JobLike).status, 'canceled');

    await waitFor(async () => (await mockRequests()).find((r) => r.request_id === active.id && r.aborted === true), {
      timeoutMs: 10_000,
      message: 'the mock provider never saw the active request aborted',
    });
    // With the slot free again, a later job runs, and the canceled queued job never did.
    const later = await submit(chat('gpt-slow', 'after the cancel'));
    assert.equal(((await teamA().get(`/v1/jobs/${later.id}?wait=20`)).body as JobLike).status, 'succeeded');
    assert.equal((await mockRequests()).filter((r) => r.request_id === queued.id).length, 0);
    assert.equal(((await teamA().get(`/v1/jobs/${queued.id}`)).body as JobLike).status, 'canceled');
    assert.equal(((await teamA().get(`/v1/jobs/${active.id}`)).body as JobLike).status, 'canceled');

    const again = await teamA().post(`/v1/jobs/${queued.id}/cancel`);
    assert.equal(again.status, 409);
  });

  it("hides one key's jobs from another key, and refuses missing or wrong keys", async () => {
    const job = await submit(chat('mock-echo', 'private'));
    const read = await teamB().get(`/v1/jobs/${job.id}`);
    assert.equal(read.status, 404);
    assert.equal((read.body as { error: { code: string } }).error.code, 'job_not_found');
    assert.equal((await teamB().post(`/v1/jobs/${job.id}/cancel`)).status, 404);
    assert.equal((await teamB().get(`/v1/jobs/${job.id}?wait=1`)).status, 404);

    for (const client of [api(gateway.baseUrl), api(gateway.baseUrl, 'sk-wrong-key-0000000000')]) {
      for (const response of [await client.get(`/v1/jobs/${job.id}`), await client.post('/v1/jobs', chat('mock-echo', 'x')), await client.get('/v1/models')]) {
        assert.equal(response.status, 401);
        assert.equal((response.body as { error: { type: string } }).error.type, 'authentication_error');
      }
    }
    // The owner still sees it, and it was not canceled by the other key.
    assert.equal(((await teamA().get(`/v1/jobs/${job.id}?wait=10`)).body as JobLike).status, 'succeeded');
  });

  it('lists the configured models in the OpenAI list shape, and serves health probes without a key', async () => {
    const models = await teamA().get('/v1/models');
    assert.equal(models.status, 200);
    const body = models.body as { object: string; data: Array<{ id: string; object: string; owned_by: string }> };
    assert.equal(body.object, 'list');
    assert.deepEqual(body.data.map((m) => m.id).sort(), ['gpt-mock', 'gpt-slow', 'mock-echo', 'mock-lorem']);
    assert.ok(body.data.every((m) => m.object === 'model'));
    assert.equal((await api(gateway.baseUrl).get('/healthz')).status, 200);
    assert.equal((await api(gateway.baseUrl).get('/readyz')).status, 200);
  });

  it('never lets the provider api_key reach a response, a job record, a queue entry or a log line', async () => {
    const job = await submit(chat('gpt-mock', 'echo the key please'));
    const responses = [
      await teamA().get(`/v1/jobs/${job.id}?wait=10`),
      await teamA().get('/v1/models'),
      await teamA().post('/v1/jobs', { ...chat('gpt-mock', 'x'), api_key: UPSTREAM_KEY }),
    ];
    for (const response of responses) assert.ok(!response.text.includes(UPSTREAM_KEY), response.text);

    // The mock provider did receive it: the key is really in play.
    assert.ok((await mockRequests()).some((r) => r.has_authorization === true));

    const store = await gatewayStore(redis);
    const client = store.client;
    let scanned = 0;
    for (const key of await store.keys('*')) {
      const type = await client.type(key);
      const dump =
        type === 'hash' ? JSON.stringify(await client.hgetall(key))
        : type === 'string' ? String(await client.get(key))
        : type === 'list' ? JSON.stringify(await client.lrange(key, 0, -1))
        : type === 'zset' ? JSON.stringify(await client.zrange(key, '0', '-1'))
        : type === 'set' ? JSON.stringify(await client.smembers(key))
        : type === 'stream' ? JSON.stringify(await client.xrange(key, '-', '+'))
        : '';
      assert.ok(!dump.includes(UPSTREAM_KEY), `${key} holds the provider key`);
      scanned += 1;
    }
    assert.ok(scanned > 100, `only ${scanned} keys scanned`);
    for (const process of gateway.processes) assert.ok(!process.output().includes(UPSTREAM_KEY), `${process.name} logged the provider key`);
    assert.ok(!gateway.processes[0].output().includes(TEAM_A_KEY), 'a client key was logged');
  });
});
