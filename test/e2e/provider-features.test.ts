import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, PrivateRedis, startGateway, startMockProvider, stopAll, type Gateway } from '../support';
import { assertErrorShape, TEAM_A_KEY, type JobLike } from './fixtures';

interface PricedJob extends JobLike {
  type: string;
  provider_model: string | null;
  cost_usd: number | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

describe('usage, cost, context windows and embedding jobs', () => {
  let redis: PrivateRedis;
  let gateway: Gateway;

  before(async () => {
    redis = await PrivateRedis.start();
    const mock = await startMockProvider();
    gateway = await startGateway({
      redis,
      config: `
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY} }
providers:
  mock: { type: mock }
  upstream: { type: openai, base_url: ${mock.baseUrl}/v1 }
  deepseek: { type: openai-compatible, base_url: ${mock.baseUrl}/compat/deepseek/v1, options: { preset: deepseek } }
models:
  gpt-4o-mini:
    targets: [{ provider: upstream, model: gpt-4o-mini }]
  tiny:
    targets: [{ provider: upstream, model: tiny-model }]
  deepseek-chat:
    targets: [{ provider: deepseek, model: deepseek-chat }]
  mock-embed:
    targets: [{ provider: mock, model: mock-embedding }]
model_registry:
  tiny-model: { context_window: 60, input_per_mtok: 1000, output_per_mtok: 2000 }
  mock-embedding: { context_window: 40, capabilities: [embeddings], input_per_mtok: 500 }
`,
    });
  });

  after(async () => {
    await stopAll();
    await redis?.stop();
  });

  const client = () => api(gateway.baseUrl, TEAM_A_KEY);

  async function run(body: Record<string, unknown>): Promise<PricedJob> {
    const submitted = await client().post('/v1/jobs', body);
    assert.equal(submitted.status, 202, submitted.text);
    const done = await client().get(`/v1/jobs/${(submitted.body as JobLike).id}?wait=20`);
    return done.body as PricedJob;
  }

  it('prices a finished job from the registry (gpt-4o-mini: $0.15 in, $0.60 out per million)', async () => {
    const job = await run({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'price me #mock{"tokens":40}' }], max_tokens: 100 });
    assert.equal(job.status, 'succeeded', JSON.stringify(job));
    assert.equal(job.type, 'chat');
    assert.equal(job.provider_model, 'gpt-4o-mini');
    assert.ok(job.usage.prompt_tokens > 0 && job.usage.completion_tokens > 0);
    const expected = (job.usage.prompt_tokens * 0.15 + job.usage.completion_tokens * 0.6) / 1e6;
    assert.ok(job.cost_usd !== null && Math.abs(job.cost_usd - expected) < 1e-8, `cost ${job.cost_usd}, expected ${expected}`);
  });

  it('uses config overrides of the registry for prices', async () => {
    const job = await run({ model: 'tiny', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(job.status, 'succeeded');
    const expected = (job.usage.prompt_tokens * 1000 + job.usage.completion_tokens * 2000) / 1e6;
    assert.ok(job.cost_usd !== null && Math.abs(job.cost_usd - expected) < 1e-8, `cost ${job.cost_usd}, expected ${expected}`);
  });

  it('refuses at submit a prompt larger than the target model’s context window', async () => {
    const response = await client().post('/v1/jobs', { model: 'tiny', messages: [{ role: 'user', content: 'word '.repeat(200) }] });
    assert.equal(response.status, 400, response.text);
    assertErrorShape(response.body, 'context window');
    assert.equal(response.body.error.code, 'context_length_exceeded');
    assert.match(response.body.error.message, /maximum context length is 60 tokens/);
    assert.deepEqual(await redis.client().keys('sy:job:*').then((keys) => keys.length > 0), true, 'earlier jobs exist');
  });

  it('refuses at submit what no target can express (no_route), and drops mere hints with a warning', async () => {
    const schema = { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } };
    const refused = await client().post('/v1/jobs', { model: 'deepseek-chat', messages: [{ role: 'user', content: 'hi' }], response_format: schema });
    assert.equal(refused.status, 422, refused.text);
    assertErrorShape(refused.body, 'unsupported');
    assert.equal(refused.body.error.code, 'no_route');
    assert.match(refused.body.error.message, /does not support json_schema/);
    assert.equal(refused.body.error.param, 'json_schema');

    const job = await run({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'hi' }], seed: 7 });
    assert.equal(job.status, 'succeeded', JSON.stringify(job));
    const warnings = (job.attempts[0] as { warnings?: string[] }).warnings ?? [];
    assert.ok(warnings.some((w) => /seed/.test(w) && /dropped/.test(w)), JSON.stringify(warnings));
  });

  it('runs embedding jobs and answers in the OpenAI embeddings shape', async () => {
    const job = await run({ type: 'embedding', model: 'mock-embed', input: ['first text', 'second text'], dimensions: 4 });
    assert.equal(job.status, 'succeeded', JSON.stringify(job));
    assert.equal(job.type, 'embedding');
    const result = job.result as { object: string; data: Array<{ object: string; index: number; embedding: number[] }>; usage: { prompt_tokens: number } };
    assert.equal(result.object, 'list');
    assert.deepEqual(result.data.map((d) => d.index), [0, 1]);
    assert.ok(result.data.every((d) => d.object === 'embedding' && d.embedding.length === 4));
    assert.notDeepEqual(result.data[0].embedding, result.data[1].embedding);
    assert.ok(job.usage.prompt_tokens > 0);
    assert.equal(job.cost_usd, Math.round(job.usage.prompt_tokens * 500) / 1e6);
  });

  it('validates embedding jobs and refuses an input beyond the model’s limit', async () => {
    for (const body of [
      { type: 'embedding', model: 'mock-embed' },
      { type: 'embedding', model: 'mock-embed', input: [] },
      { type: 'embedding', model: 'mock-embed', input: [1, 2] },
      { type: 'embedding', model: 'mock-embed', input: 'x', messages: [] },
      { type: 'sound', model: 'mock-embed', input: 'x' },
    ]) {
      const response = await client().post('/v1/jobs', body);
      assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
      assertErrorShape(response.body, JSON.stringify(body));
    }
    const tooLong = await client().post('/v1/jobs', { type: 'embedding', model: 'mock-embed', input: 'word '.repeat(100) });
    assert.equal(tooLong.status, 400);
    assert.equal((tooLong.body as { error: { code: string } }).error.code, 'context_length_exceeded');
  });
});
