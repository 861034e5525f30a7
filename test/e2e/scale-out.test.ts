import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI, { toFile } from 'openai';
import {
  api,
  freePort,
  gatewayRedisEnv,
  PrivateRedis,
  spawnApp,
  startGateway,
  startMockProvider,
  stopAll,
  waitFor,
  WEBHOOK_RECEIVER_HOST,
  WebhookReceiver,
  type ApiClient,
  type AppProcess,
  type Gateway,
  type MockProvider,
} from '../support';
import { assertChatCompletion, chat, TEAM_A_KEY, UPSTREAM_KEY, type JobLike } from './fixtures';

const APIS = 3;
const WORKERS = 4;
const BULK_JOBS = 500;
/** The shared limit: 300 rpm is one call every 200 ms, 5 a second for all workers together. */
const PACED_RPM = 300;
const PACED_JOBS = 30;
const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;

/**
 * One mock-provider behind several providers: `slow` runs one call at a time per worker (so a
 * fifth job waits while four hang), `paced` is limited in Redis for every worker together, `dead`
 * refuses connections (its jobs fall back), `bulk` carries the 500-job run.
 */
function config(mock: MockProvider): string {
  const upstream = (name: string, extra: string) => `
  ${name}:
    type: openai
    base_url: ${mock.baseUrl}/v1
    api_key: \${UPSTREAM_KEY}
    retries: 0${extra}`;
  return `
server: { host: 127.0.0.1, interactive_wait_s: 30 }
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY}, webhook: { secret: ${SECRET} } }
providers:
  mock: { type: mock, concurrency: 50 }${upstream('upstream', `
    concurrency: 50`)}${upstream('slow', `
    concurrency: 1
    timeout_ms: 60000`)}${upstream('paced', `
    concurrency: 8
    limits: { rpm: ${PACED_RPM} }`)}${upstream('bulk', `
    concurrency: 20`)}
  dead:
    type: openai
    base_url: http://127.0.0.1:9/v1
    api_key: sk-dead-upstream-0000
    timeout_ms: 2000
    retries: 0
models:
  mock-echo: { targets: [{ provider: mock, model: echo }] }
  mock-lorem: { targets: [{ provider: mock, model: lorem }] }
  mock-embed: { targets: [{ provider: mock, model: embed }] }
  gpt-mock: { targets: [{ provider: upstream, model: gpt-4o-mini }] }
  gpt-slow: { targets: [{ provider: slow, model: gpt-4o-mini }] }
  gpt-paced: { targets: [{ provider: paced, model: gpt-4o-mini }] }
  gpt-bulk: { targets: [{ provider: bulk, model: gpt-4o-mini }] }
  dead-then-ok: { targets: [{ provider: dead, model: gpt-4o-mini }, { provider: upstream, model: gpt-4o-mini }] }
webhooks:
  retry_schedule_s: [0, 0.3, 0.3]
  allow_private: [${WEBHOOK_RECEIVER_HOST}/32]
retention: { succeeded_s: 600, failed_s: 600 }
worker: { lock_duration_ms: 5000, stalled_interval_ms: 2000 }
`;
}

interface MockRequest {
  received_at: string;
  request_id: string | null;
  aborted: boolean;
}

interface Worker {
  process: AppProcess;
  metricsUrl: string;
}

function requestLine(customId: string, content: string): Record<string, unknown> {
  return { custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'mock-echo', messages: [{ role: 'user', content }] } };
}

function jsonl(lines: unknown[]): string {
  return `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
}

describe(`scale-out: ${APIS} api and ${WORKERS} worker processes on one Redis`, () => {
  let redis: PrivateRedis;
  let mock: MockProvider;
  let receiver: WebhookReceiver;
  let gateway: Gateway;
  const workers: Worker[] = [];
  let apis: ApiClient[];
  let sdks: OpenAI[];
  const figures: string[] = [];

  before(async () => {
    redis = await PrivateRedis.start();
    [mock, receiver] = await Promise.all([startMockProvider({ MOCK_API_KEY: UPSTREAM_KEY }), WebhookReceiver.start()]);
    gateway = await startGateway({ redis, config: config(mock), apps: Array<'api'>(APIS).fill('api'), env: { UPSTREAM_KEY } });
    // Workers started here rather than by startGateway: each needs a health port of its own, whose
    // /metrics tell which process made which provider calls.
    const env = { SWITCHYARD_CONFIG: gateway.configPath, ...(await gatewayRedisEnv(redis)), LOG_LEVEL: 'info', UPSTREAM_KEY };
    const ports: number[] = [];
    while (ports.length < WORKERS) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    workers.push(
      ...(await Promise.all(
        ports.map(async (port) => ({
          process: await spawnApp('worker', { env: { ...env, WORKER_HEALTH_PORT: String(port) }, readyLine: /worker ready/i, timeoutMs: 60_000 }),
          metricsUrl: `http://127.0.0.1:${port}/metrics`,
        })),
      )),
    );
    apis = gateway.baseUrls.map((url) => api(url, TEAM_A_KEY));
    sdks = gateway.baseUrls.map((url) => new OpenAI({ apiKey: TEAM_A_KEY, baseURL: `${url}/v1`, maxRetries: 0 }));
  });

  after(async () => {
    if (figures.length > 0) console.log(`scale-out: ${APIS} api + ${WORKERS} workers; ${figures.join('; ')}; lost 0`);
    await stopAll();
    await receiver?.stop();
    await redis?.stop();
  });

  async function submit(via: ApiClient, body: Record<string, unknown>): Promise<string> {
    const response = await via.post('/v1/jobs', body);
    assert.equal(response.status, 202, response.text);
    return (response.body as JobLike).id;
  }

  async function status(via: ApiClient, id: string): Promise<string> {
    return ((await via.get(`/v1/jobs/${id}`)).body as JobLike).status;
  }

  async function mockRequests(): Promise<MockRequest[]> {
    return ((await (await fetch(`${mock.baseUrl}/_control/requests`)).json()) as { data: MockRequest[] }).data;
  }

  /** Successful provider calls each worker made to `provider`, from its own /metrics. */
  async function callsPerWorker(provider: string): Promise<number[]> {
    const pattern = new RegExp(`^switchyard_provider_request_duration_seconds_count\\{(?=[^}]*provider="${provider}")(?=[^}]*outcome="success")[^}]*\\} (\\d+)`, 'gm');
    return Promise.all(
      workers.map(async (worker) => {
        const text = await (await fetch(worker.metricsUrl)).text();
        return [...text.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
      }),
    );
  }

  it('submits on one api, polls and long-polls on a second, cancels queued and running jobs on a third', async () => {
    const [first, second, third] = apis;
    const quick = await submit(first, chat('gpt-mock', 'across apis #mock{"latency_ms":1500}'));
    assert.ok(['queued', 'active'].includes(await status(second, quick)));
    const polled = await second.get(`/v1/jobs/${quick}?wait=30`);
    assert.equal(polled.status, 200);
    const done = polled.body as JobLike;
    assert.equal(done.status, 'succeeded', JSON.stringify(done));
    assertChatCompletion(done.result);
    assert.match(String(done.result.choices[0].message.content), /across apis/);
    const timedOut = await second.get(`/v1/jobs/${await submit(first, chat('gpt-mock', 'slow #mock{"latency_ms":4000}'))}?wait=1`);
    assert.ok(['queued', 'active'].includes((timedOut.body as JobLike).status), timedOut.text);

    // `slow` runs one call per worker: four hanging jobs hold every worker, so a fifth waits.
    const hanging = await Promise.all(Array.from({ length: WORKERS }, (_, i) => submit(first, chat('gpt-slow', `hang ${i} #mock{"hang":true}`))));
    await waitFor(async () => (await Promise.all(hanging.map((id) => status(second, id)))).every((s) => s === 'active'), {
      timeoutMs: 20_000,
      message: 'one hanging job active on each worker',
    });
    const queued = await submit(first, chat('gpt-slow', 'never sent upstream'));
    assert.equal(await status(second, queued), 'queued');

    const canceledQueued = await third.post(`/v1/jobs/${queued}/cancel`);
    assert.equal(canceledQueued.status, 200, canceledQueued.text);
    assert.equal((canceledQueued.body as JobLike).status, 'canceled');
    // Each running call is in a different worker: the cancel reaches all four from the third api.
    for (const id of hanging) {
      const canceled = await third.post(`/v1/jobs/${id}/cancel`);
      assert.equal(canceled.status, 200, canceled.text);
      assert.equal((canceled.body as JobLike).status, 'canceled');
    }
    await waitFor(async () => {
      const aborted = new Set((await mockRequests()).filter((r) => r.aborted).map((r) => r.request_id));
      return hanging.every((id) => aborted.has(id));
    }, { timeoutMs: 15_000, message: 'the mock provider to see the four running calls aborted' });

    // The slots are free again; the canceled queued job never ran.
    const later = await submit(third, chat('gpt-slow', 'after the cancels'));
    assert.equal(((await first.get(`/v1/jobs/${later}?wait=30`)).body as JobLike).status, 'succeeded');
    assert.equal((await mockRequests()).filter((r) => r.request_id === queued).length, 0);
    for (const id of [queued, ...hanging]) assert.equal(await status(first, id), 'canceled');
    assert.equal((await second.post(`/v1/jobs/${queued}/cancel`)).status, 409);
    figures.push(`cancel: 1 queued + ${hanging.length} running (one per worker) canceled from a third api, ${hanging.length} calls aborted upstream, the queued one never called`);
  });

  it('answers chat completions, plain and streamed, and embeddings through each api', async () => {
    for (const [i, sdk] of sdks.entries()) {
      const { data, response } = await sdk.chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: `plain via api ${i}` }] }).withResponse();
      assert.match(data.choices[0].message.content ?? '', new RegExp(`plain via api ${i}`));
      const jobId = response.headers.get('x-switchyard-job-id');
      assert.ok(jobId, 'job id header');
      // The job behind the answer is readable from the next api.
      assert.equal(await status(apis[(i + 1) % APIS], jobId), 'succeeded');

      const stream = await sdk.chat.completions.create({ model: 'mock-lorem', messages: [{ role: 'user', content: `stream via api ${i}` }], stream: true });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
      assert.ok(chunks.length > 3, `${chunks.length} chunks through api ${i}`);
      assert.ok(text.length > 20, `streamed text: ${text}`);
      assert.equal(chunks.filter((chunk) => chunk.choices[0]?.finish_reason === 'stop').length, 1);

      const upstreamStream = await sdk.chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: `upstream stream via api ${i}` }], stream: true });
      let upstreamText = '';
      for await (const chunk of upstreamStream) upstreamText += chunk.choices[0]?.delta.content ?? '';
      assert.match(upstreamText, new RegExp(`upstream stream via api ${i}`));

      const embeddings = await sdk.embeddings.create({ model: 'mock-embed', input: ['one', 'two', `three ${i}`] });
      assert.equal(embeddings.data.length, 3);
      assert.ok(embeddings.data.every((item) => item.embedding.length > 0));
    }
    figures.push(`chat plain + 2 streams + embeddings through each of ${APIS} apis`);
  });

  it('runs a batch created on one api and read on the others, and cancels one from another api', async () => {
    const [first, second, third] = sdks;
    const settled = (sdk: OpenAI, id: string) =>
      waitFor(async () => {
        const batch = await sdk.batches.retrieve(id);
        return ['completed', 'failed', 'expired', 'cancelled'].includes(batch.status) && batch;
      }, { timeoutMs: 30_000, intervalMs: 100, message: `batch ${id} to end` });

    const lines = Array.from({ length: 100 }, (_, i) => requestLine(`req-${i}`, `line ${i}`));
    const file = await first.files.create({ purpose: 'batch', file: await toFile(Buffer.from(jsonl(lines)), 'hundred.jsonl') });
    const created = await second.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const done = await settled(third, created.id);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.request_counts, { total: 100, completed: 100, failed: 0 });
    const output = (await (await first.files.content(done.output_file_id as string)).text()).trim().split('\n').map((line) => JSON.parse(line) as { custom_id: string; response: { body: { choices: Array<{ message: { content: string } }> } } });
    assert.equal(new Set(output.map((line) => line.custom_id)).size, 100);
    for (const line of output) assert.equal(line.response.body.choices[0].message.content, `line ${line.custom_id.slice(4)}`);

    const slow = [requestLine('done-1', 'now'), ...Array.from({ length: 10 }, (_, i) => requestLine(`wait-${i}`, '#mock{"latency_ms": 60000} later'))];
    const slowFile = await third.files.create({ purpose: 'batch', file: await toFile(Buffer.from(jsonl(slow)), 'slow.jsonl') });
    const running = await first.batches.create({ input_file_id: slowFile.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await waitFor(async () => (await third.batches.retrieve(running.id)).request_counts?.completed === 1, { timeoutMs: 20_000, message: 'the quick line to finish' });
    const cancelling = await second.batches.cancel(running.id);
    assert.ok(['cancelling', 'cancelled'].includes(cancelling.status), cancelling.status);
    const cancelled = await settled(third, running.id);
    assert.equal(cancelled.status, 'cancelled');
    assert.deepEqual(cancelled.request_counts, { total: 11, completed: 1, failed: 10 });
    figures.push(`batches: 100 lines completed, 11-line batch cancelled across apis`);
  });

  it('delivers one webhook per job, whichever api took it and whichever worker ran it', async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => submit(apis[i % APIS], chat('gpt-mock', `hook ${i}`, { webhook: { url: receiver.url } }))));
    const delivered = () => receiver.events<{ type: string; data: JobLike }>().filter((event) => ids.includes(event.data.id));
    await waitFor(() => delivered().length >= ids.length || undefined, { timeoutMs: 30_000, message: 'a webhook for every job' });
    // Time for a duplicate to show up, if any worker were to send one.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const events = delivered();
    assert.deepEqual(events.map((event) => event.data.id).sort(), [...ids].sort(), 'each job exactly once');
    assert.ok(events.every((event) => event.type === 'job.succeeded'));
    figures.push(`webhooks: ${ids.length} jobs, ${events.length} deliveries`);
  });

  it(`holds rpm ${PACED_RPM} across the ${WORKERS} workers: calls per second counted at the mock`, async () => {
    // A first wave to warm each worker's paced path: a process's first call can take a few hundred
    // ms to leave, which would bunch the calls after it.
    const warmUp = await Promise.all(Array.from({ length: 8 }, (_, i) => submit(apis[i % APIS], chat('gpt-paced', `warm ${i}`))));
    await Promise.all(warmUp.map((id) => apis[0].get(`/v1/jobs/${id}?wait=60`)));
    const before = await callsPerWorker('paced');
    const ids = await Promise.all(Array.from({ length: PACED_JOBS }, (_, i) => submit(apis[i % APIS], chat('gpt-paced', `paced ${i}`))));
    const jobs = await Promise.all(ids.map(async (id, i) => (await apis[(i + 1) % APIS].get(`/v1/jobs/${id}?wait=60`)).body as JobLike));
    assert.ok(jobs.every((job) => job.status === 'succeeded'), JSON.stringify(jobs.find((job) => job.status !== 'succeeded')));
    const mine = new Set(ids);
    const arrivals = (await mockRequests()).filter((r) => r.request_id !== null && mine.has(r.request_id)).map((r) => Date.parse(r.received_at)).sort((a, b) => a - b);
    assert.equal(arrivals.length, PACED_JOBS);
    // The limiter spaces the calls 200 ms apart in Redis time; each process then starts its call on
    // its own timer, so on this loaded machine a late call lands next to the ones after it (up to 7
    // in one second seen). Any 3 s then hold at most 15, plus 4 of slack for those late ones; four
    // workers each limited on their own would send 60.
    const perSecond = PACED_RPM / 60;
    const busiest = (windowMs: number) => Math.max(...arrivals.map((start) => arrivals.filter((t) => t >= start && t < start + windowMs).length));
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
    assert.ok(busiest(3000) <= 3 * perSecond + 4, `${busiest(3000)} calls within 3 s; gaps ${gaps.join(' ')} ms`);
    const rate = (arrivals.length - 1) / ((arrivals.at(-1)! - arrivals[0]) / 1000);
    assert.ok(rate <= perSecond * 1.2, `rate ${rate.toFixed(2)}/s over ${PACED_RPM} rpm; gaps ${gaps.join(' ')} ms`);
    assert.ok(rate >= perSecond * 0.6, `rate ${rate.toFixed(2)}/s: the limit held, but far below it`);
    const after = await callsPerWorker('paced');
    const byWorker = after.map((n, i) => n - (before[i] ?? 0));
    assert.equal(byWorker.reduce((a, b) => a + b, 0), PACED_JOBS);
    assert.ok(byWorker.filter((n) => n > 0).length >= 2, `the limit was shared, not one worker doing it all: ${byWorker.join('/')}`);
    figures.push(`rpm ${PACED_RPM} (5/s): ${rate.toFixed(2)} calls/s at the mock, busiest 1 s / 3 s ${busiest(1000)} / ${busiest(3000)}, calls by worker ${byWorker.join('/')}`);
  });

  it('falls back from a provider refusing connections, whichever worker ran the job', async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => submit(apis[i % APIS], chat('dead-then-ok', `fallback ${i}`))));
    const jobs = await Promise.all(ids.map(async (id, i) => (await apis[(i + 2) % APIS].get(`/v1/jobs/${id}?wait=60`)).body as JobLike & { attempts: Array<{ provider: string; outcome: string }> }));
    for (const job of jobs) {
      assert.equal(job.status, 'succeeded', JSON.stringify(job));
      assert.equal(job.provider, 'upstream');
      assert.deepEqual(job.attempts.map((a) => a.provider), ['dead', 'upstream'], JSON.stringify(job.attempts));
      assert.ok(['failed', 'skipped'].includes(job.attempts[0].outcome), JSON.stringify(job.attempts));
      assert.equal(job.attempts[1].outcome, 'succeeded');
    }
    figures.push(`fallback: ${jobs.length}/${ids.length} succeeded on the second target`);
  });

  it(`runs ${BULK_JOBS} jobs spread over the ${APIS} apis exactly once each, every worker taking some`, async () => {
    const before = await callsPerWorker('bulk');
    const ids = await Promise.all(Array.from({ length: BULK_JOBS }, (_, i) => submit(apis[i % APIS], chat('gpt-bulk', `bulk ${i} #mock{"latency_ms":20}`))));
    assert.equal(new Set(ids).size, BULK_JOBS);
    const jobs = await Promise.all(ids.map(async (id, i) => (await apis[(i + 1) % APIS].get(`/v1/jobs/${id}?wait=60`)).body as JobLike));
    const statuses = jobs.reduce<Record<string, number>>((acc, job) => ({ ...acc, [job.status]: (acc[job.status] ?? 0) + 1 }), {});
    assert.deepEqual(statuses, { succeeded: BULK_JOBS });
    jobs.forEach((job, i) => {
      assertChatCompletion(job.result);
      assert.match(String(job.result.choices[0].message.content), new RegExp(`bulk ${i}\\b`));
      assert.equal(job.attempts.length, 1, `${job.id} has one attempt`);
    });
    const stats = (await (await fetch(`${mock.baseUrl}/_control/stats`)).json()) as { by_request_id: Record<string, number> };
    const twice = ids.filter((id) => stats.by_request_id[id] !== 1);
    assert.deepEqual(twice, [], 'every job reached the provider exactly once');
    const after = await callsPerWorker('bulk');
    const byWorker = after.map((n, i) => n - (before[i] ?? 0));
    assert.equal(byWorker.reduce((a, b) => a + b, 0), BULK_JOBS, `calls by worker ${byWorker.join('/')}`);
    assert.ok(byWorker.every((n) => n > 0), `every worker took some: ${byWorker.join('/')}`);
    figures.push(`${BULK_JOBS} jobs: ${statuses.succeeded} succeeded, each called once, workers ${byWorker.join('/')}`);
  });
});
