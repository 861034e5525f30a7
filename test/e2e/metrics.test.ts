import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import parsePrometheusTextFormat, { type PrometheusFamily, type PrometheusSample } from 'parse-prometheus-text-format';
import { api, freePort, PrivateRedis, startGateway, startMockProvider, stopAll, waitFor, WEBHOOK_RECEIVER_HOST, WebhookReceiver, type ApiClient, type Gateway, type MockProvider } from '../support';
import { assertErrorShape, chat, TEAM_A_KEY, UPSTREAM_KEY, type JobLike } from './fixtures';

const ADMIN_KEY = 'sk-metrics-admin-0123456789';
const LIMITED_KEY = 'sk-metrics-limited-012345678';
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
/** A port nothing listens on: calls to `down` fail at once with a network error. */
const DEAD_URL = 'http://127.0.0.1:9/v1';

function config(mock: MockProvider, requireKey = false): string {
  return `
server: { host: 127.0.0.1 }
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY}, webhook: { secret: ${SECRET} } }
    - { name: ops, key: ${ADMIN_KEY}, scopes: [admin] }
    - { name: limited, key: ${LIMITED_KEY}, limits: { rpm: 2 } }
providers:
  upstream:
    type: openai
    base_url: ${mock.baseUrl}/v1
    api_key: \${UPSTREAM_KEY}
    concurrency: 50
    retries: 0
  down:
    type: openai
    base_url: ${DEAD_URL}
    api_key: \${UPSTREAM_KEY}
    retries: 0
models:
  gpt-mock: { targets: [{ provider: upstream, model: gpt-4o-mini }] }
  down-then-ok: { targets: [{ provider: down, model: gpt-4o-mini }, { provider: upstream, model: gpt-4o-mini }] }
webhooks:
  retry_schedule_s: [0, 0.2]
  allow_private: [${WEBHOOK_RECEIVER_HOST}/32]
metrics: { require_key: ${requireKey} }
`;
}

type Labels = Record<string, string>;

/**
 * Parses the exposition; the parser throws on any line that is not valid text format. It folds all
 * series of a histogram into one object without labels (it only handles unlabelled histograms), so
 * the series are read from a second parse with histograms declared untyped: their `_bucket`, `_sum`
 * and `_count` samples then come back as plain labelled samples.
 */
class Scrape {
  private readonly families: PrometheusFamily[];
  private readonly series: PrometheusFamily[];

  constructor(text: string) {
    this.families = parsePrometheusTextFormat(text);
    for (const family of this.families) assert.ok(family.help.length > 0, `${family.name} has HELP`);
    this.series = parsePrometheusTextFormat(text.replace(/^(# TYPE \S+) histogram$/gm, '$1 untyped'));
    for (const sample of this.series.flatMap((family) => family.metrics)) {
      assert.match(sample.value ?? '', /^([+-]?\d+(\.\d+)?(e[+-]?\d+)?|[+-]?Inf|NaN)$/i, 'every sample value is a float');
    }
  }

  family(name: string): PrometheusFamily | undefined {
    return this.families.find((family) => family.name === name);
  }

  /** Every sample named `name` (a histogram's `<name>_count`, for instance). */
  private samples(name: string): PrometheusSample[] {
    // Untyped, each series of a histogram comes back as families of its own, so there can be several.
    return this.series.filter((family) => family.name === name).flatMap((family) => family.metrics);
  }

  labels(name: string): Labels[] {
    return this.samples(name).map((sample) => sample.labels ?? {});
  }

  /** Sum of the samples of `name` whose labels include `labels`. */
  total(name: string, labels: Labels = {}): number {
    return this.samples(name)
      .filter((sample) => Object.entries(labels).every(([label, value]) => sample.labels?.[label] === value))
      .reduce((sum, sample) => sum + Number(sample.value), 0);
  }
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return new Scrape(text);
}

describe('metrics: /metrics of the API and the worker health port', () => {
  let redis: PrivateRedis;
  let mock: MockProvider;
  let gateway: Gateway;
  let client: ApiClient;
  let receiver: WebhookReceiver;
  let workerUrl: string;

  before(async () => {
    redis = await PrivateRedis.start();
    [mock, receiver] = await Promise.all([startMockProvider(), WebhookReceiver.start()]);
    const healthPort = await freePort();
    workerUrl = `http://127.0.0.1:${healthPort}`;
    gateway = await startGateway({ redis, config: config(mock), apps: ['api', 'worker'], env: { UPSTREAM_KEY, WORKER_HEALTH_PORT: String(healthPort) } });
    client = api(gateway.baseUrl, TEAM_A_KEY);
    await waitFor(async () => (await fetch(`${workerUrl}/healthz`).catch(() => undefined))?.ok || undefined, { timeoutMs: 10_000 });
  });

  after(async () => {
    await stopAll();
    await receiver?.stop();
    await redis?.stop();
  });

  it('counts jobs, provider calls, tokens, fallbacks, cache hits and webhook deliveries by the right amounts', async () => {
    const [apiBefore, workerBefore] = await Promise.all([scrape(`${gateway.baseUrl}/metrics`), scrape(`${workerUrl}/metrics`)]);
    const N = 12;
    const FALLBACKS = 3;
    const IDENTICAL = 5;
    const submit = async (body: Record<string, unknown>): Promise<string> => {
      const response = await client.post('/v1/jobs', body);
      assert.equal(response.status, 202, response.text);
      return (response.body as JobLike).id;
    };
    const finish = async (id: string): Promise<JobLike> => {
      const job = (await client.get(`/v1/jobs/${id}?wait=30`)).body as JobLike;
      assert.equal(job.status, 'succeeded', JSON.stringify(job));
      return job;
    };
    // N plain jobs with webhooks, FALLBACKS that fail on `down` and move on, IDENTICAL deterministic
    // ones sharing one call, then one more identical answered from the cache.
    const plain = await Promise.all(Array.from({ length: N }, (_, i) => submit(chat('gpt-mock', `metrics ${i}`, { webhook: { url: receiver.url } }))));
    const rerouted = await Promise.all(Array.from({ length: FALLBACKS }, (_, i) => submit(chat('down-then-ok', `fallback ${i}`))));
    const deterministic = chat('gpt-mock', 'the same question', { temperature: 0 });
    const shared = await Promise.all(Array.from({ length: IDENTICAL }, () => submit(deterministic)));
    await Promise.all([...plain, ...rerouted, ...shared].map(finish));
    await finish(await submit(deterministic));
    await waitFor(() => receiver.received.length >= N || undefined, { timeoutMs: 15_000 });

    const submitted = N + FALLBACKS + IDENTICAL + 1;
    // A delivery is counted after the receiver answered, which can be a moment after it saw the request.
    const end = await waitFor(async () => {
      const now = { api: await scrape(`${gateway.baseUrl}/metrics`), worker: await scrape(`${workerUrl}/metrics`) };
      const delivered = now.worker.total('switchyard_webhook_deliveries_total', { outcome: 'succeeded' }) - workerBefore.total('switchyard_webhook_deliveries_total', { outcome: 'succeeded' });
      return delivered >= N ? now : undefined;
    }, { timeoutMs: 10_000 });
    const moved = (process: 'api' | 'worker', name: string, labels: Labels = {}) =>
      end[process].total(name, labels) - (process === 'api' ? apiBefore : workerBefore).total(name, labels);

    assert.equal(moved('api', 'switchyard_jobs_submitted_total', { key: 'team-a' }), submitted);
    assert.equal(moved('api', 'switchyard_jobs_submitted_total', { key: 'team-a', model: 'down-then-ok' }), FALLBACKS);
    assert.equal(moved('api', 'switchyard_http_request_duration_seconds_count', { method: 'POST', route: '/v1/jobs', status: '202' }), submitted);
    assert.ok(moved('api', 'switchyard_http_request_duration_seconds_count', { method: 'GET', route: '/v1/jobs/:id', status: '200' }) >= submitted, 'polls are labelled with the route pattern, not the job id');
    assert.equal(
      end.api.labels('switchyard_http_request_duration_seconds_count').some((labels) => labels.route?.includes('job_')),
      false,
      'no raw URL with an id in the route label',
    );

    assert.equal(moved('worker', 'switchyard_jobs_finished_total', { status: 'succeeded', provider: 'upstream', model: 'gpt-4o-mini' }), submitted);
    // Calls that reached `upstream`: the plain jobs, the rerouted ones, and one for the identical group.
    assert.equal(moved('worker', 'switchyard_provider_request_duration_seconds_count', { provider: 'upstream', outcome: 'success' }), N + FALLBACKS + 1);
    assert.equal(moved('worker', 'switchyard_provider_request_duration_seconds_count', { provider: 'down', outcome: 'network' }), FALLBACKS);
    assert.equal(moved('worker', 'switchyard_fallbacks_total', { from: 'down', to: 'upstream' }), FALLBACKS);
    assert.equal(moved('worker', 'switchyard_cache_misses_total', { provider: 'upstream' }), 1);
    assert.equal(moved('worker', 'switchyard_cache_hits_total', { provider: 'upstream' }), IDENTICAL, 'the other identical jobs and the repeat');
    assert.ok(moved('worker', 'switchyard_cache_hits_total', { provider: 'upstream', source: 'cache' }) >= 1, 'the repeat came from the cache');
    assert.equal(moved('worker', 'switchyard_webhook_deliveries_total', { outcome: 'succeeded' }), N);
    assert.equal(moved('worker', 'switchyard_webhook_deliveries_total', { outcome: 'failed' }), 0);
    assert.ok(moved('worker', 'switchyard_tokens_total', { key: 'team-a', provider: 'upstream', type: 'completion' }) > 0);
    assert.ok(moved('worker', 'switchyard_cost_usd_total', { key: 'team-a', provider: 'upstream', model: 'gpt-4o-mini' }) > 0);
  });

  it('shows queue depths and circuit states from both processes, read on scrape', async () => {
    for (const url of [gateway.baseUrl, workerUrl]) {
      const now = await scrape(`${url}/metrics`);
      const queues = new Set(now.labels('switchyard_queue_jobs').map((labels) => labels.queue));
      for (const queue of ['provider.upstream', 'provider.down', 'webhooks', 'batches', 'deadlines']) assert.ok(queues.has(queue), `${url}: ${queue} in ${[...queues].join(', ')}`);
      assert.equal(now.total('switchyard_queue_jobs', { queue: 'provider.upstream', state: 'active' }), 0);
      assert.equal(now.total('switchyard_circuit_state', { provider: 'upstream' }), 0, 'closed');
      assert.equal(now.labels('switchyard_circuit_state').length, 2);
      assert.ok(now.family('process_cpu_user_seconds_total'), 'default process metrics');
    }
  });

  it("counts a key's own 429s by key and code", async () => {
    const start = await scrape(`${gateway.baseUrl}/metrics`);
    const limited = api(gateway.baseUrl, LIMITED_KEY);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await limited.post('/v1/jobs', chat('gpt-mock', `limited ${i}`))).status);
    assert.deepEqual(statuses, [202, 202, 429]);
    const end = await scrape(`${gateway.baseUrl}/metrics`);
    const labels = { key: 'limited', code: 'rate_limit_exceeded' };
    assert.equal(end.total('switchyard_tenant_rate_limited_total', labels) - start.total('switchyard_tenant_rate_limited_total', labels), 1);
  });

  it('answers /healthz, /readyz and 404 on the worker health port', async () => {
    assert.deepEqual(await (await fetch(`${workerUrl}/healthz`)).json(), { status: 'ok' });
    assert.deepEqual(await (await fetch(`${workerUrl}/readyz`)).json(), { status: 'ready' });
    const missing = await fetch(`${workerUrl}/v1/jobs`);
    assert.equal(missing.status, 404);
    assertErrorShape(await missing.json(), 'worker 404');
  });

  it('with metrics.require_key, /metrics needs a key with the admin scope', async () => {
    const guarded = await startGateway({ redis, config: config(mock, true), apps: ['api'], env: { UPSTREAM_KEY } });
    const metricsUrl = `${guarded.baseUrl}/metrics`;
    const anonymous = await api(guarded.baseUrl).get('/metrics');
    assert.equal(anonymous.status, 401);
    assertErrorShape(anonymous.body, 'no key');
    const jobsKey = await api(guarded.baseUrl, TEAM_A_KEY).get('/metrics');
    assert.equal(jobsKey.status, 403);
    assertErrorShape(jobsKey.body, 'jobs-scope key');
    const admin = await scrape(metricsUrl, { authorization: `Bearer ${ADMIN_KEY}` });
    assert.ok(admin.family('switchyard_http_request_duration_seconds'));
    await guarded.stop();
  });
});
