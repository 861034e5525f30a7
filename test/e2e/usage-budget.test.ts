import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, PrivateRedis, startGateway, stopAll, type ApiClient, type Gateway } from '../support';
import { assertErrorShape, chat, TEAM_A_KEY, TEAM_B_KEY, type JobLike } from './fixtures';

const ADMIN_KEY = 'sk-admin-0123456789abcdef';
const SPENDER_KEY = 'sk-spender-0123456789abcdef';
const BUDGET_USD = 0.001;

const CONFIG = `
server: { host: 127.0.0.1 }
auth:
  keys:
    - { name: ops, key: ${ADMIN_KEY}, scopes: [admin] }
    - { name: team-a, key: ${TEAM_A_KEY}, monthly_budget_usd: 1000 }
    - { name: team-b, key: ${TEAM_B_KEY} }
    - { name: spender, key: ${SPENDER_KEY}, monthly_budget_usd: ${BUDGET_USD} }
providers:
  mock: { type: mock, concurrency: 20 }
  mock-two: { type: mock, concurrency: 20 }
models:
  mock-echo:
    targets: [{ provider: mock, model: echo }]
  mock-lorem:
    targets: [{ provider: mock-two, model: lorem }]
model_registry:
  echo: { input_per_mtok: 1, output_per_mtok: 2 }
  lorem: { input_per_mtok: 10, output_per_mtok: 20 }
retention: { succeeded_s: 600, failed_s: 600 }
`;

interface Job extends JobLike {
  owner?: string;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  cost_usd: number | null;
}

interface UsageReport {
  group_by: string;
  data: Array<Record<string, number | string>>;
  total: { requests: number; prompt_tokens: number; completion_tokens: number; cost_usd: number };
}

interface Sums {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** In units of 1e-8 USD, the precision job costs are rounded to, so sums compare exactly. */
  cost: number;
}

const units = (usd: number | null) => Math.round((usd ?? 0) * 1e8);

async function runJob(client: ApiClient, model: string, content: string, extra: Record<string, unknown> = {}): Promise<Job> {
  const submitted = await client.post('/v1/jobs', chat(model, content, extra));
  assert.equal(submitted.status, 202, submitted.text);
  const read = await client.get(`/v1/jobs/${(submitted.body as Job).id}?wait=15`);
  assert.equal((read.body as Job).status, 'succeeded', read.text);
  return read.body as Job;
}

function sumBy(jobs: Array<{ group: string; job: Job }>): Map<string, Sums> {
  const sums = new Map<string, Sums>();
  for (const { group, job } of jobs) {
    const entry = sums.get(group) ?? { requests: 0, prompt_tokens: 0, completion_tokens: 0, cost: 0 };
    entry.requests += 1;
    entry.prompt_tokens += job.usage?.prompt_tokens ?? 0;
    entry.completion_tokens += job.usage?.completion_tokens ?? 0;
    entry.cost += units(job.cost_usd);
    sums.set(group, entry);
  }
  return sums;
}

function reported(report: UsageReport): Map<string, Sums> {
  return new Map(
    report.data.map((row) => [
      String(row[report.group_by]),
      { requests: Number(row.requests), prompt_tokens: Number(row.prompt_tokens), completion_tokens: Number(row.completion_tokens), cost: units(Number(row.cost_usd)) },
    ]),
  );
}

describe('usage and monthly budgets', () => {
  let redis: PrivateRedis;
  let gateway: Gateway;
  let admin: ApiClient;
  let teamA: ApiClient;
  let teamB: ApiClient;
  const jobs: Array<{ key: string; job: Job }> = [];

  before(async () => {
    redis = await PrivateRedis.start();
    gateway = await startGateway({ redis, config: CONFIG, apps: ['api', 'worker'] });
    admin = api(gateway.baseUrl, ADMIN_KEY);
    teamA = api(gateway.baseUrl, TEAM_A_KEY);
    teamB = api(gateway.baseUrl, TEAM_B_KEY);
  });

  after(async () => {
    await stopAll();
    await redis?.stop();
  });

  it('usage sums match the finished jobs exactly, grouped by key, model and provider', async () => {
    const runs: Array<Promise<{ key: string; job: Job }>> = [];
    for (let i = 0; i < 12; i++) {
      const [key, client] = i % 3 === 0 ? ['team-b', teamB] as const : ['team-a', teamA] as const;
      const model = i % 2 === 0 ? 'mock-echo' : 'mock-lorem';
      runs.push(runJob(client, model, `usage ${i} ${'word '.repeat(i)}`).then((job) => ({ key, job })));
    }
    jobs.push(...(await Promise.all(runs)));
    // A cached answer counts as a request, with its tokens, at no cost.
    const original = await runJob(teamA, 'mock-lorem', 'cache me', { temperature: 0 });
    const cached = await runJob(teamA, 'mock-lorem', 'cache me', { temperature: 0 });
    assert.equal(cached.cost_usd, 0, 'the cached answer costs nothing');
    assert.ok(units(original.cost_usd) > 0);
    jobs.push({ key: 'team-a', job: original }, { key: 'team-a', job: cached });

    const byGroup = {
      key: sumBy(jobs.map(({ key, job }) => ({ group: key, job }))),
      model: sumBy(jobs.map(({ job }) => ({ group: job.model, job }))),
      provider: sumBy(jobs.map(({ job }) => ({ group: String(job.provider), job }))),
    };
    for (const groupBy of ['key', 'model', 'provider'] as const) {
      const response = await admin.get(`/v1/usage?group_by=${groupBy}`);
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(reported(response.body as UsageReport), byGroup[groupBy], `group_by=${groupBy}`);
    }
    assert.equal(byGroup.provider.size, 2);

    // A key sees only its own usage, over an explicit range (ISO 8601 and Unix seconds).
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = Math.ceil(Date.now() / 1000) + 60;
    const own = await teamB.get(`/v1/usage?group_by=model&from=${from}&to=${to}`);
    assert.equal(own.status, 200, own.text);
    const ownJobs = jobs.filter(({ key }) => key === 'team-b');
    assert.deepEqual(reported(own.body as UsageReport), sumBy(ownJobs.map(({ job }) => ({ group: job.model, job }))));
    assert.equal((own.body as UsageReport).total.requests, ownJobs.length);
    const ownByKey = await teamB.get('/v1/usage');
    assert.deepEqual([...reported(ownByKey.body as UsageReport).keys()], ['team-b']);

    // A range before any job is empty.
    const past = await admin.get('/v1/usage?from=2020-01-01&to=2020-02-01');
    assert.deepEqual((past.body as UsageReport).data, []);
  });

  it('refuses bad usage queries with 400', async () => {
    for (const query of ['group_by=team', 'from=yesterday', 'from=2025-02-01&to=2025-01-01', 'from=2020-01-01&to=2025-01-01']) {
      const response = await teamA.get(`/v1/usage?${query}`);
      assert.equal(response.status, 400, `${query}: ${response.text}`);
      assertErrorShape(response.body, query);
    }
  });

  it('refuses new submits with 429 budget_exceeded once the month spend reaches the budget, and only for that key', async () => {
    const spender = api(gateway.baseUrl, SPENDER_KEY);
    let spent = 0;
    let refused: Awaited<ReturnType<ApiClient['post']>> | undefined;
    for (let i = 0; i < 20 && !refused; i++) {
      const submitted = await spender.post('/v1/jobs', chat('mock-lorem', `spend ${i}`));
      if (submitted.status === 429) {
        refused = submitted;
        break;
      }
      assert.equal(submitted.status, 202, submitted.text);
      assert.ok(spent < units(BUDGET_USD), `admitted at ${spent} units, at or over the budget`);
      const done = await spender.get(`/v1/jobs/${(submitted.body as Job).id}?wait=15`);
      spent += units((done.body as Job).cost_usd);
    }
    assert.ok(refused, 'the budget was never enforced');
    assert.ok(spent >= units(BUDGET_USD), `refused at ${spent} units, under the budget`);
    assertErrorShape(refused.body, 'budget');
    assert.equal(refused.body.error.code, 'budget_exceeded');
    assert.equal(refused.body.error.type, 'rate_limit_error');
    const now = new Date();
    const untilMonthEnd = (Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - now.getTime()) / 1000;
    assert.ok(Math.abs(Number(refused.headers['retry-after']) - untilMonthEnd) < 120, `retry-after ${String(refused.headers['retry-after'])}`);
    const usage = await spender.get('/v1/usage');
    assert.equal(units((usage.body as UsageReport).total.cost_usd), spent);

    assert.equal((await spender.post('/v1/jobs', chat('mock-echo', 'still over'))).status, 429);
    await runJob(teamB, 'mock-lorem', 'not my budget');
    await runJob(teamA, 'mock-lorem', 'far under my budget');
  });
});
