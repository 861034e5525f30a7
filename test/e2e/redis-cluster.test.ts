import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { Webhook } from 'standardwebhooks';
import { api, RedisCluster, startGateway, startMockProvider, stopAll, waitFor, WEBHOOK_RECEIVER_HOST, WebhookReceiver, type ApiClient, type Gateway, type MockProvider } from '../support';
import { assertChatCompletion, chat, TEAM_A_KEY, UPSTREAM_KEY, type JobLike } from './fixtures';

const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
const RPM = 120;
const CONCURRENCY = 3;

interface Attempt {
  provider: string;
  outcome: string;
}

interface BatchLike {
  id: string;
  status: string;
  request_counts: { total: number; completed: number; failed: number };
}

function upstream(name: string, mock: MockProvider, extra = ''): string {
  return `
  ${name}:
    type: openai
    base_url: ${mock.baseUrl}/v1
    api_key: \${UPSTREAM_KEY}
    concurrency: 20
    retries: 0${extra}`;
}

/** Two processes that both run workers (standalone: api and worker; and a worker); each upstream is its own mock-provider. */
interface Mocks {
  healthy: MockProvider;
  down: MockProvider;
  paced: MockProvider;
  narrow: MockProvider;
}

function config(mocks: Mocks): string {
  return `
server: { host: 127.0.0.1 }
auth:
  keys:
    - name: team-a
      key: ${TEAM_A_KEY}
      webhook: { secret: ${SECRET} }
providers:
  mock:
    type: mock${upstream('prov-ok', mocks.healthy)}${upstream('prov-down', mocks.down)}${upstream('prov-rpm', mocks.paced, `
    limits: { rpm: ${RPM} }`)}${upstream('prov-narrow', mocks.narrow, `
    limits: { concurrency: ${CONCURRENCY} }`)}
models:
  m:
    targets: [{ provider: prov-ok, model: gpt-4o-mini }]
  down-then-ok:
    targets: [{ provider: prov-down, model: gpt-4o-mini }, { provider: prov-ok, model: gpt-4o-mini }]
  paced:
    targets: [{ provider: prov-rpm, model: gpt-4o-mini }]
  narrow:
    targets: [{ provider: prov-narrow, model: gpt-4o-mini }]
  mock-lorem:
    targets: [{ provider: mock, model: lorem }]
    cache: { mode: never }
webhooks:
  retry_schedule_s: [0, 0.3, 0.3]
  allow_private: [${WEBHOOK_RECEIVER_HOST}/32]
retention: { succeeded_s: 600, failed_s: 600 }
worker: { lock_duration_ms: 5000, stalled_interval_ms: 2000 }
`;
}

async function mockArrivals(mock: MockProvider): Promise<number[]> {
  const { data } = (await (await fetch(`${mock.baseUrl}/_control/requests`)).json()) as { data: Array<{ received_at: string }> };
  return data.map((request) => Date.parse(request.received_at)).sort((a, b) => a - b);
}

describe('Redis Cluster: the gateway on three masters, every key in one hash slot', () => {
  let cluster: RedisCluster;
  const mocks = {} as Mocks;
  let receiver: WebhookReceiver;
  let gateway: Gateway;
  let client: ApiClient;
  const started = Date.now();
  const ran = { rest: 0, fallback: 0, limited: 0, chat: 0, batchLines: 0, webhooks: 0 };
  const lost: string[] = [];

  async function submitAll(bodies: Array<Record<string, unknown>>): Promise<string[]> {
    return Promise.all(
      bodies.map(async (body) => {
        const response = await client.post('/v1/jobs', body);
        assert.equal(response.status, 202, response.text);
        return (response.body as JobLike).id;
      }),
    );
  }

  /** Long-polls each job to its end; one that is not succeeded by then counts as lost. */
  async function awaitAll(ids: string[]): Promise<Array<JobLike & { attempts: Attempt[] }>> {
    const jobs = await Promise.all(ids.map(async (id) => (await client.get(`/v1/jobs/${id}?wait=60`)).body as JobLike & { attempts: Attempt[] }));
    for (const job of jobs) if (job.status !== 'succeeded') lost.push(`${job.id}:${job.status}`);
    return jobs;
  }

  before(async () => {
    cluster = await RedisCluster.start();
    const [healthy, down, paced, narrow] = await Promise.all([
      startMockProvider({ MOCK_LATENCY_MS: '20', MOCK_API_KEY: UPSTREAM_KEY }),
      startMockProvider({ MOCK_ERROR_RATE: '1', MOCK_ERROR_STATUS: '503' }),
      startMockProvider({ MOCK_API_KEY: UPSTREAM_KEY }),
      startMockProvider({ MOCK_LATENCY_MS: '200', MOCK_API_KEY: UPSTREAM_KEY }),
    ]);
    Object.assign(mocks, { healthy, down, paced, narrow });
    receiver = await WebhookReceiver.start();
    gateway = await startGateway({ redis: cluster, config: config(mocks), apps: ['standalone', 'worker'], env: { UPSTREAM_KEY }, timeoutMs: 60_000 });
    client = api(gateway.baseUrl, TEAM_A_KEY);
  });

  after(async () => {
    await stopAll();
    await receiver?.stop();
    await cluster?.stop();
  });

  it('runs jobs submitted over REST, and a long-poll answers as soon as its job ends', async () => {
    const jobs = await awaitAll(await submitAll(Array.from({ length: 20 }, (_, i) => chat('m', `cluster ${i}`))));
    for (const job of jobs) {
      assert.equal(job.status, 'succeeded', JSON.stringify(job));
      assert.equal(job.provider, 'prov-ok');
    }
    const [slow] = await submitAll([chat('m', 'slow #mock{"latency_ms":500}')]);
    const polled = Date.now();
    const [done] = await awaitAll([slow]);
    assert.equal(done.status, 'succeeded');
    assert.ok(Date.now() - polled < 30_000, 'the long-poll was answered by the job event, not its timeout');
    ran.rest += jobs.length + 1;
  });

  it('falls back from a provider answering 503 to the next target', async () => {
    const jobs = await awaitAll(await submitAll(Array.from({ length: 20 }, (_, i) => chat('down-then-ok', `fallback ${i}`))));
    for (const job of jobs) {
      assert.equal(job.status, 'succeeded', JSON.stringify(job));
      assert.equal(job.provider, 'prov-ok');
      assert.equal(job.attempts[0]?.provider, 'prov-down');
      assert.equal(job.attempts.at(-1)?.outcome, 'succeeded');
    }
    ran.fallback += jobs.length;
  });

  it(`holds rpm ${RPM} and concurrency ${CONCURRENCY} across two worker processes (Bottleneck on the cluster)`, async () => {
    const count = 6;
    const paced = await awaitAll(await submitAll(Array.from({ length: count }, (_, i) => chat('paced', `paced ${i}`))));
    assert.ok(paced.every((job) => job.status === 'succeeded'));
    const arrivals = await mockArrivals(mocks.paced);
    assert.equal(arrivals.length, count);
    // One limiter shared through Redis spaces all calls 60 000 / rpm ms apart; a limiter per
    // worker process would let the two workers' calls through twice as fast. (How exactly each
    // second is held is routing-fallback's check.)
    const spanMs = (arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0);
    assert.ok(spanMs >= 0.9 * (count - 1) * (60_000 / RPM), `${count} calls in ${spanMs} ms: gaps ${arrivals.slice(1).map((t, i) => t - (arrivals[i] ?? 0)).join(', ')}`);

    const narrow = await awaitAll(await submitAll(Array.from({ length: 4 * CONCURRENCY }, (_, i) => chat('narrow', `narrow ${i}`))));
    assert.ok(narrow.every((job) => job.status === 'succeeded'));
    const stats = (await (await fetch(`${mocks.narrow.baseUrl}/_control/stats`)).json()) as { max_in_flight: number };
    assert.equal(stats.max_in_flight, CONCURRENCY);
    ran.limited += paced.length + narrow.length;
  });

  it('answers chat completions, plain and streamed', async () => {
    const openai = new OpenAI({ apiKey: TEAM_A_KEY, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0 });
    const plain = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'plain on a cluster' }] });
    assertChatCompletion(plain);
    const stream = await openai.chat.completions.create({ model: 'mock-lorem', messages: [{ role: 'user', content: 'write' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let chunks = 0;
    let usage = false;
    for await (const chunk of stream) {
      chunks += 1;
      text += chunk.choices[0]?.delta.content ?? '';
      usage ||= chunk.usage != null;
    }
    assert.ok(chunks > 2 && text.length > 20, `${chunks} chunks: ${text}`);
    assert.ok(usage, 'the usage chunk');
    ran.chat += 2;
  });

  it('runs a small inline batch to completion', async () => {
    const lines = 5;
    const response = await client.post('/v1/batches', {
      endpoint: '/v1/chat/completions',
      completion_window: '10m',
      requests: Array.from({ length: lines }, (_, i) => ({ custom_id: `line-${i}`, body: { model: 'm', messages: [{ role: 'user', content: `batch ${i}` }] } })),
    });
    assert.equal(response.status, 200, response.text);
    const { id } = response.body as BatchLike;
    const done = await waitFor(
      async () => {
        const batch = (await client.get(`/v1/batches/${id}`)).body as BatchLike;
        return ['completed', 'failed', 'expired', 'cancelled'].includes(batch.status) && batch;
      },
      { timeoutMs: 60_000, message: 'the batch to end' },
    );
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.deepEqual(done.request_counts, { total: lines, completed: lines, failed: 0 });
    ran.batchLines += lines;
  });

  it('delivers a signed webhook for each finished job', async () => {
    const ids = await submitAll(Array.from({ length: 5 }, (_, i) => chat('m', `hook ${i}`, { webhook: { url: receiver.url } })));
    await waitFor(() => receiver.received.filter((r) => r.status === 200).length >= ids.length || undefined, { timeoutMs: 30_000, message: 'the webhooks' });
    const verifier = new Webhook(SECRET);
    const events = receiver.received.map((delivery) => {
      const headers = Object.fromEntries(Object.entries(delivery.headers).map(([k, v]) => [k, String(v)]));
      return verifier.verify(delivery.body, headers) as { type: string; data: JobLike };
    });
    assert.deepEqual(events.map((event) => event.data.id).sort(), [...ids].sort(), 'each job once');
    assert.ok(events.every((event) => event.type === 'job.succeeded'));
    ran.webhooks += events.length;
  });

  it('keeps every key of the deployment in the {sy} hash slot, on one master', async () => {
    const keys = await cluster.keys('*');
    assert.ok(keys.length > 50, `only ${keys.length} keys`);
    const slot = await cluster.slotOf('{sy}');
    const elsewhere: string[] = [];
    for (const key of keys) if ((await cluster.slotOf(key)) !== slot) elsewhere.push(key);
    assert.deepEqual(elsewhere, [], 'keys outside the deployment slot');
    // BullMQ queues, job records and Bottleneck limiters all carry the tag.
    for (const kind of ['{sy}:provider.prov-ok:', '{sy}:job:', 'b_{sy}:limits:prov-rpm', 'b_{sy}:limits:prov-narrow']) assert.ok(keys.some((key) => key.startsWith(kind)), `no ${kind} key`);
    const counts = await cluster.keyCounts();
    const holding = counts.filter((count) => count > 0).length;
    assert.equal(holding, 1, `keys per master: ${counts.join(', ')}`);
    assert.deepEqual(lost, []);
    const jobs = ran.rest + ran.fallback + ran.limited + ran.chat + ran.batchLines;
    console.log(
      `redis-cluster: ${cluster.nodes.length} masters; ${jobs} jobs (${ran.rest} REST + long-poll, ${ran.fallback} fallback, ${ran.limited} under rpm ${RPM} or concurrency ${CONCURRENCY}, ` +
        `${ran.chat} chat plain/streamed, ${ran.batchLines} batch lines), ${ran.webhooks} webhooks; ${keys.length} keys, all in slot ${slot} ` +
        `(keys per master ${counts.join('/')}); lost ${lost.length}; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
});
