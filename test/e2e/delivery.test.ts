import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { api, PrivateRedis, scaleTopologyRequested, startGateway, startMockProvider, stopAll, waitFor, WEBHOOK_RECEIVER_HOST, WebhookReceiver, type ApiClient, type Gateway, type MockProvider } from '../support';
import { assertErrorShape, chat, TEAM_A_KEY, UPSTREAM_KEY, type JobLike } from './fixtures';

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

function config(mock: MockProvider): string {
  return `
server: { host: 127.0.0.1 }
auth:
  keys:
    - name: team-a
      key: ${TEAM_A_KEY}
      webhook: { secret: ${SECRET} }
providers:
  upstream:
    type: openai
    base_url: ${mock.baseUrl}/v1
    api_key: \${UPSTREAM_KEY}
    concurrency: 50
    retries: 0
  narrow:
    type: openai
    base_url: ${mock.baseUrl}/v1
    api_key: \${UPSTREAM_KEY}
    concurrency: 1
models:
  gpt-mock:
    targets: [{ provider: upstream, model: gpt-4o-mini }]
  gpt-narrow:
    targets: [{ provider: narrow, model: gpt-4o-mini }]
webhooks:
  retry_schedule_s: [0, 0.3, 0.3, 0.3, 0.3]
  allow_private: [${WEBHOOK_RECEIVER_HOST}/32]
retention: { succeeded_s: 600, failed_s: 600 }
`;
}

async function mockTotal(mock: MockProvider): Promise<number> {
  return ((await (await fetch(`${mock.baseUrl}/_control/stats`)).json()) as { total: number }).total;
}

describe('delivery: webhooks, idempotency, cache and deadlines', () => {
  let redis: PrivateRedis;
  let mock: MockProvider;
  let gateway: Gateway;
  let client: ApiClient;
  let receiver: WebhookReceiver;

  before(async () => {
    redis = await PrivateRedis.start();
    mock = await startMockProvider();
    // Down for the first three attempts of every delivery.
    receiver = await WebhookReceiver.start((_headers, attempt) => (attempt <= 3 ? 503 : 200));
    gateway = await startGateway({ redis, config: config(mock), apps: ['api', 'worker'], env: { UPSTREAM_KEY } });
    client = api(gateway.baseUrl, TEAM_A_KEY);
  });

  after(async () => {
    await stopAll();
    await receiver?.stop();
    await redis?.stop();
  });

  it('delivers every job event exactly once as a success, signed, after the receiver failed 3 attempts', async () => {
    const ids = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const response = await client.post('/v1/jobs', chat('gpt-mock', `hook ${i}`, { webhook: { url: receiver.url } }));
        assert.equal(response.status, 202, response.text);
        return (response.body as JobLike).id;
      }),
    );
    await waitFor(() => receiver.received.filter((r) => r.status === 200).length >= ids.length || undefined, { timeoutMs: 30_000 });
    const verifier = new Webhook(SECRET);
    for (const delivery of receiver.received) {
      const headers = Object.fromEntries(Object.entries(delivery.headers).map(([k, v]) => [k, String(v)]));
      assert.doesNotThrow(() => verifier.verify(delivery.body, headers), 'a valid Standard Webhooks signature');
    }
    const successes = receiver.received.filter((r) => r.status === 200).map((r) => JSON.parse(r.body) as { type: string; data: JobLike });
    assert.deepEqual(successes.map((s) => s.data.id).sort(), [...ids].sort(), 'each job exactly once');
    assert.ok(successes.every((s) => s.type === 'job.succeeded' && s.data.status === 'succeeded'));

    const log = await client.get(`/v1/jobs/${ids[0]}/deliveries`);
    assert.equal(log.status, 200, log.text);
    const attempts = (log.body as { data: Array<{ outcome: string; status: number | null }> }).data;
    assert.deepEqual(attempts.map((a) => a.outcome), ['failed', 'failed', 'failed', 'succeeded']);
    assert.deepEqual(attempts.map((a) => a.status), [503, 503, 503, 200]);

    const before = receiver.received.length;
    const redelivered = await client.post(`/v1/jobs/${ids[0]}/deliveries/redeliver`);
    assert.equal(redelivered.status, 202, redelivered.text);
    await waitFor(() => receiver.received.length > before || undefined, { timeoutMs: 10_000 });
  });

  it('refuses webhook URLs to private, loopback and metadata addresses', async () => {
    for (const url of ['http://127.0.0.1/hook', 'http://10.0.0.1/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/hook', 'http://localhost:9/hook', 'ftp://example.com/x']) {
      const response = await client.post('/v1/jobs', chat('gpt-mock', 'x', { webhook: { url } }));
      assert.equal(response.status, 400, `${url}: ${response.text}`);
      assertErrorShape(response.body, url);
      assert.equal(response.body.error.param, 'webhook.url', url);
    }
  });

  it('creates one job for 20 concurrent submits with one Idempotency-Key, and refuses a changed body', async () => {
    const body = chat('gpt-mock', 'only once');
    const responses = await Promise.all(Array.from({ length: 20 }, () => client.post('/v1/jobs', body, { 'idempotency-key': 'order-42' })));
    const ids = new Set(responses.map((r) => (r.body as JobLike).id));
    assert.equal(ids.size, 1, JSON.stringify(responses.map((r) => r.text)));
    assert.equal(responses.filter((r) => r.status === 202).length, 1, 'one created it');
    assert.equal(responses.filter((r) => r.status === 200).length, 19, 'the others got it back');
    const changed = await client.post('/v1/jobs', chat('gpt-mock', 'something else'), { 'idempotency-key': 'order-42' });
    assert.equal(changed.status, 409);
    assertErrorShape(changed.body, 'conflict');
    assert.equal(changed.body.error.code, 'idempotency_conflict');
    const viaField = await client.post('/v1/jobs', { ...body, idempotency_key: 'order-42' });
    assert.equal(viaField.status, 200);
    assert.equal((viaField.body as JobLike).id, [...ids][0]);
  });

  it('answers 200 identical concurrent deterministic jobs with one provider call, and a later repeat from the cache', async () => {
    const before = await mockTotal(mock);
    const body = chat('gpt-mock', 'the same question', { temperature: 0 });
    const ids = await Promise.all(Array.from({ length: 200 }, async () => ((await client.post('/v1/jobs', body)).body as JobLike).id));
    const jobs = await Promise.all(ids.map(async (id) => (await client.get(`/v1/jobs/${id}?wait=30`)).body as JobLike & { cached: boolean; cost_usd: number | null }));
    assert.ok(jobs.every((job) => job.status === 'succeeded'), JSON.stringify(jobs.find((job) => job.status !== 'succeeded')));
    assert.equal((await mockTotal(mock)) - before, 1, 'one provider call');
    assert.equal(jobs.filter((job) => !job.cached).length, 1, 'one job made the call, the rest shared it');
    const repeat = (await client.get(`/v1/jobs/${((await client.post('/v1/jobs', body)).body as JobLike).id}?wait=30`)).body as JobLike & { cached: boolean; cost_usd: number | null };
    assert.equal(repeat.cached, true);
    assert.equal(repeat.cost_usd, 0);
    assert.equal((await mockTotal(mock)) - before, 1, 'still one call');
  });

  it('ends a job that never started, and a running one, as expired at their deadline', { skip: scaleTopologyRequested() && 'holds a job queued with one worker at concurrency 1; with 4 workers it runs at once' }, async () => {
    const running = (await client.post('/v1/jobs', chat('gpt-narrow', 'slow #mock{"latency_ms":5000}', { timeout_s: 1 }))).body as JobLike;
    const waiting = (await client.post('/v1/jobs', chat('gpt-narrow', 'behind it', { timeout_s: 1 }))).body as JobLike;
    for (const id of [running.id, waiting.id]) {
      const job = (await client.get(`/v1/jobs/${id}?wait=10`)).body as JobLike & { expires_at: number };
      assert.equal(job.status, 'expired', JSON.stringify(job));
      assert.equal(job.error?.code, 'job_expired');
      assert.ok(job.expires_at > 0);
    }
    const past = await client.post('/v1/jobs', chat('gpt-mock', 'x', { expires_at: Math.floor(Date.now() / 1000) - 5 }));
    assert.equal(past.status, 400);
  });
});
