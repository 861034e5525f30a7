import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, PrivateRedis, startGateway, stopAll, type ApiClient, type Gateway } from '../support';
import { assertErrorShape, chat, TEAM_A_KEY, TEAM_B_KEY, type JobLike } from './fixtures';

const LIMITED_KEY = 'sk-limited-rpm-0123456789';
const FEW_JOBS_KEY = 'sk-limited-waiting-0123456789';
const FEW_TOKENS_KEY = 'sk-limited-tokens-0123456789';

const CONFIG = `
server: { host: 127.0.0.1 }
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY} }
    - { name: team-b, key: ${TEAM_B_KEY} }
    - { name: rpm-limited, key: ${LIMITED_KEY}, limits: { rpm: 5 } }
    - { name: few-jobs, key: ${FEW_JOBS_KEY}, limits: { max_waiting: 2 } }
    - { name: few-tokens, key: ${FEW_TOKENS_KEY}, limits: { tokens_per_day: 3000 } }
providers:
  heavy: { type: mock, concurrency: 50 }
  light: { type: mock, concurrency: 50 }
  backlogged: { type: mock, concurrency: 1 }
  quick: { type: mock, concurrency: 50 }
  caps: { type: mock, concurrency: 50 }
  shared:
    type: mock
    concurrency: 16
    limits: { rpm: 3000 }
models:
  split:
    strategy: weighted
    targets: [{ provider: heavy, model: echo, weight: 3 }, { provider: light, model: echo, weight: 1 }]
  backlog-only:
    targets: [{ provider: backlogged, model: echo }]
  shortest-queue:
    strategy: least-queue
    targets: [{ provider: backlogged, model: echo }, { provider: quick, model: echo }]
  plain-only:
    targets: [{ provider: caps, model: plain-model }]
  with-tools:
    aliases: [tools-alias]
    targets: [{ provider: caps, model: plain-model }, { provider: caps, model: tool-model }]
  busy:
    targets: [{ provider: shared, model: echo }]
model_registry:
  plain-model: { capabilities: [chat] }
  tool-model: { capabilities: [chat, tools] }
retention: { succeeded_s: 600, failed_s: 600 }
`;

const TOOLS = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];

async function submit(client: ApiClient, body: Record<string, unknown>): Promise<string> {
  const response = await client.post('/v1/jobs', body);
  assert.equal(response.status, 202, response.text);
  return (response.body as JobLike).id;
}

/** Submits in waves so thousands of jobs do not open thousands of sockets at once. */
async function submitMany(client: ApiClient, bodies: Array<Record<string, unknown>>, wave = 200): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < bodies.length; i += wave) ids.push(...(await Promise.all(bodies.slice(i, i + wave).map((body) => submit(client, body)))));
  return ids;
}

async function finished(client: ApiClient, ids: string[]): Promise<JobLike[]> {
  return Promise.all(ids.map(async (id) => (await client.get(`/v1/jobs/${id}?wait=60`)).body as JobLike));
}

describe('routing strategies, capability filter, tenant limits and fair share', () => {
  let redis: PrivateRedis;
  let gateway: Gateway;
  let teamA: ApiClient;
  let teamB: ApiClient;

  before(async () => {
    redis = await PrivateRedis.start();
    gateway = await startGateway({ redis, config: CONFIG });
    teamA = api(gateway.baseUrl, TEAM_A_KEY);
    teamB = api(gateway.baseUrl, TEAM_B_KEY);
  });

  after(async () => {
    await stopAll();
    await redis?.stop();
  });

  it('weighted: 2,000 jobs split 3:1 within 5%', async () => {
    const jobs = await finished(teamA, await submitMany(teamA, Array.from({ length: 2000 }, (_, i) => chat('split', `w ${i}`))));
    const heavy = jobs.filter((job) => job.provider === 'heavy').length;
    const light = jobs.filter((job) => job.provider === 'light').length;
    assert.equal(heavy + light, 2000);
    assert.ok(Math.abs(heavy / 2000 - 0.75) <= 0.05 * 0.75, `heavy took ${heavy}`);
    assert.ok(Math.abs(light / 2000 - 0.25) <= 0.05 * 0.25, `light took ${light}`);
  });

  it('least-queue: sends new work away from a provider with a deep backlog', async () => {
    const backlog = await submitMany(teamA, Array.from({ length: 30 }, (_, i) => chat('backlog-only', `slow ${i} #mock{"latency_ms":1000}`)));
    // Queue depths are polled once a second.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const jobs = await finished(teamA, await submitMany(teamA, Array.from({ length: 20 }, (_, i) => chat('shortest-queue', `fresh ${i}`))));
    assert.deepEqual(jobs.map((job) => job.provider), jobs.map(() => 'quick'));
    await Promise.all(backlog.map((id) => teamA.post(`/v1/jobs/${id}/cancel`)));
  });

  it('capability filter: 422 no_route when no target fits, the fitting target otherwise', async () => {
    const refused = await teamA.post('/v1/jobs', chat('plain-only', 'call a tool', { tools: TOOLS }));
    assert.equal(refused.status, 422, refused.text);
    assertErrorShape(refused.body, 'no route');
    assert.equal(refused.body.error.code, 'no_route');
    assert.equal(refused.body.error.param, 'tools');
    assert.match(refused.body.error.message, /plain-model does not support tools/);

    const [routed] = await finished(teamA, [await submit(teamA, chat('tools-alias', 'call a tool', { tools: TOOLS }))]);
    assert.equal(routed.status, 'succeeded');
    assert.equal((routed as JobLike & { provider_model: string }).provider_model, 'tool-model');
    assert.equal(routed.model, 'with-tools', 'the alias resolves to its model');
  });

  it('request-named fallbacks: `models` and `route` extend the plan with configured models only', async () => {
    const [job] = await finished(teamA, [await submit(teamA, chat('plain-only', 'tools please', { tools: TOOLS, models: ['with-tools'] }))]);
    assert.equal((job as JobLike & { provider_model: string }).provider_model, 'tool-model');
    const [viaRoute] = await finished(teamA, [await submit(teamA, chat('plain-only', 'tools please', { tools: TOOLS, route: { models: ['with-tools'], strategy: 'cheapest' } }))]);
    assert.equal(viaRoute.status, 'succeeded');

    const unknown = await teamA.post('/v1/jobs', chat('plain-only', 'x', { models: ['no-such-model'] }));
    assert.equal(unknown.status, 404);
    assertErrorShape(unknown.body, 'unknown fallback');
    assert.equal(unknown.body.error.param, 'models');
    for (const field of ['api_base', 'base_url', 'api_key', 'provider']) {
      const smuggled = await teamA.post('/v1/jobs', chat('plain-only', 'x', { route: { [field]: 'http://169.254.169.254/' } }));
      assert.equal(smuggled.status, 400, `${field}: ${smuggled.text}`);
      assertErrorShape(smuggled.body, field);
      assert.equal(smuggled.body.error.param, `route.${field}`);
    }
  });

  it('tenant limits answer 429 with retry-after and leave other keys alone', async () => {
    const limited = api(gateway.baseUrl, LIMITED_KEY);
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 6; i++) {
      last = await limited.post('/v1/jobs', chat('split', `r ${i}`));
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429]);
    assertErrorShape(last?.body, 'rpm');
    assert.equal(last.body.error.code, 'rate_limit_exceeded');
    assert.ok(Number(last.headers['retry-after']) >= 1, JSON.stringify(last.headers));
    assert.equal((await teamB.post('/v1/jobs', chat('split', 'unaffected'))).status, 202);

    const fewJobs = api(gateway.baseUrl, FEW_JOBS_KEY);
    const slow = await Promise.all([0, 1].map((i) => submit(fewJobs, chat('split', `hold ${i} #mock{"latency_ms":2000}`))));
    const third = await fewJobs.post('/v1/jobs', chat('split', 'one too many'));
    assert.equal(third.status, 429);
    assertErrorShape(third.body, 'max_waiting');
    assert.equal(third.body.error.code, 'max_waiting_exceeded');
    await finished(fewJobs, slow);
    assert.equal((await fewJobs.post('/v1/jobs', chat('split', 'room again'))).status, 202, 'places free up as jobs finish');

    const fewTokens = api(gateway.baseUrl, FEW_TOKENS_KEY);
    assert.equal((await fewTokens.post('/v1/jobs', chat('split', 'big', { max_tokens: 2000 }))).status, 202);
    const over = await fewTokens.post('/v1/jobs', chat('split', 'bigger', { max_tokens: 2000 }));
    assert.equal(over.status, 429);
    assertErrorShape(over.body, 'tokens');
    assert.equal(over.body.error.code, 'tokens_per_day_exceeded');
  });

  it("fair share: key B's 50 jobs finish within seconds behind key A's 5,000-job backlog on a 50/s provider", async () => {
    await submitMany(teamA, Array.from({ length: 5000 }, (_, i) => chat('busy', `bulk ${i}`)), 500);
    const started = Date.now();
    const jobs = await finished(teamB, await submitMany(teamB, Array.from({ length: 50 }, (_, i) => chat('busy', `interactive-ish ${i}`))));
    const elapsed = Date.now() - started;
    assert.ok(jobs.every((job) => job.status === 'succeeded'));
    assert.ok(elapsed < 6000, `B's jobs took ${elapsed} ms`);
    const urgentStart = Date.now();
    const urgent = await finished(teamA, await submitMany(teamA, Array.from({ length: 10 }, (_, i) => chat('busy', `urgent ${i}`, { priority: 1 }))));
    assert.ok(urgent.every((job) => job.status === 'succeeded'));
    assert.ok(Date.now() - urgentStart < 3000, 'priority 1 passes the same key’s own bulk backlog');
    const providers = (await teamA.get('/v1/providers')).body as { data: Array<{ id: string; queue: { waiting: number } }> };
    const waiting = providers.data.find((p) => p.id === 'shared')?.queue.waiting ?? 0;
    assert.ok(waiting > 3000, `A's backlog is far from drained (${waiting} waiting)`);
  });
});
