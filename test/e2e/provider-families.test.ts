import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, PrivateRedis, startGateway, startMockProvider, stopAll, type Gateway } from '../support';
import { TEAM_A_KEY, type JobLike } from './fixtures';

/** The key the mock provider expects; each family is also configured once with a wrong key it echoes back. */
const GOOD = 'sk-good-upstream-5e1f0c9a7b3d2e48';
const WRONG = 'sk-wrong-upstream-9c8b7a6f5e4d3c21';
const AWS_SECRET = 'aws-secret-Zq8w7e6r5t4y3u2i1o0p';
const AWS_WRONG_SECRET = 'aws-wrong-secret-P0o9i8u7y6t5r4e3w2';
const SECRETS = [GOOD, WRONG, AWS_SECRET, AWS_WRONG_SECRET];

const FAMILIES = ['openai', 'anthropic', 'gemini', 'cohere', 'ollama', 'azure-openai', 'openai-compatible', 'bedrock'] as const;

function provider(family: (typeof FAMILIES)[number], mock: string, key: string, awsSecret: string): string {
  switch (family) {
    case 'openai':
      return `{ type: openai, base_url: ${mock}/v1, api_key: ${key} }`;
    case 'openai-compatible':
      return `{ type: openai-compatible, base_url: ${mock}/compat/vllm/v1, api_key: ${key}, options: { preset: vllm } }`;
    case 'bedrock':
      return `{ type: bedrock, base_url: ${mock}, options: { region: us-east-1, access_key_id: AKIDEXAMPLE, secret_access_key: ${awsSecret} } }`;
    default:
      return `{ type: ${family}, base_url: ${mock}, api_key: ${key} }`;
  }
}

describe('every provider family through the job path', () => {
  let redis: PrivateRedis;
  let gateway: Gateway;

  before(async () => {
    redis = await PrivateRedis.start();
    const mock = await startMockProvider({ MOCK_API_KEY: GOOD, MOCK_AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', MOCK_AWS_SECRET_ACCESS_KEY: AWS_SECRET });
    const providers = FAMILIES.flatMap((family) => [
      `  ${family}-good: ${provider(family, mock.baseUrl, GOOD, AWS_SECRET)}`,
      `  ${family}-wrong: ${provider(family, mock.baseUrl, WRONG, AWS_WRONG_SECRET)}`,
    ]);
    const model = (family: string) => (family === 'bedrock' ? 'amazon.nova-lite-v1:0' : family === 'gemini' ? 'gemini-2.5-flash' : 'some-model');
    const embedder = (family: string) =>
      family === 'bedrock' ? 'amazon.titan-embed-text-v2:0' : family === 'gemini' ? 'gemini-embedding-001' : 'some-embedder';
    const models = FAMILIES.flatMap((family) => [
      `  ${family}-embed: { targets: [{ provider: ${family}-good, model: "${embedder(family)}" }] }`,
      `  ${family}-good: { targets: [{ provider: ${family}-good, model: "${model(family)}" }] }`,
      `  ${family}-wrong: { targets: [{ provider: ${family}-wrong, model: "${model(family)}" }] }`,
    ]);
    gateway = await startGateway({
      redis,
      config: `auth:\n  keys:\n    - { name: team-a, key: ${TEAM_A_KEY} }\nproviders:\n${providers.join('\n')}\nmodels:\n${models.join('\n')}\n`,
      env: { LOG_LEVEL: 'debug' },
    });
  });

  after(async () => {
    await stopAll();
    await redis?.stop();
  });

  it('runs embedding jobs on every family that has embeddings', async () => {
    const client = api(gateway.baseUrl, TEAM_A_KEY);
    for (const family of FAMILIES.filter((f) => f !== 'anthropic')) {
      const submitted = await client.post('/v1/jobs', { type: 'embedding', model: `${family}-embed`, input: ['alpha', 'beta'] });
      assert.equal(submitted.status, 202, `${family}: ${submitted.text}`);
      const job = (await client.get(`/v1/jobs/${(submitted.body as JobLike).id}?wait=20`)).body as JobLike;
      assert.equal(job.status, 'succeeded', `${family}: ${JSON.stringify(job.error)}`);
      const result = job.result as { object: string; data: Array<{ index: number; embedding: number[] }> };
      assert.equal(result.object, 'list');
      assert.deepEqual(result.data.map((d) => d.index), [0, 1], family);
      assert.ok(result.data.every((d) => Array.isArray(d.embedding) && d.embedding.length > 0), family);
    }
    const refused = await client.post('/v1/jobs', { type: 'embedding', model: 'anthropic-embed', input: 'x' });
    assert.equal(refused.status, 422, refused.text);
    assert.match(refused.text, /"code":"no_route"/);
    assert.match(refused.text, /has no embeddings API/);
  });

  it('runs a job per family with a good and a wrong key, then finds no secret anywhere', async () => {
    const client = api(gateway.baseUrl, TEAM_A_KEY);
    const outcomes: Record<string, string> = {};
    const bodies: string[] = [];
    for (const family of FAMILIES) {
      for (const variant of ['good', 'wrong']) {
        const submitted = await client.post('/v1/jobs', { model: `${family}-${variant}`, messages: [{ role: 'user', content: 'hello' }] });
        assert.equal(submitted.status, 202, submitted.text);
        const done = await client.get(`/v1/jobs/${(submitted.body as JobLike).id}?wait=20`);
        bodies.push(done.text);
        const job = done.body as JobLike;
        outcomes[`${family}-${variant}`] = job.status === 'failed' ? `failed:${job.error?.code}` : job.status;
      }
    }
    for (const family of FAMILIES) {
      assert.equal(outcomes[`${family}-good`], 'succeeded', JSON.stringify(outcomes));
      assert.match(outcomes[`${family}-wrong`], /^failed:(authentication|permission)$/, JSON.stringify(outcomes));
    }
    for (const body of bodies) for (const secret of SECRETS) assert.ok(!body.includes(secret), `a response holds a secret: ${body}`);

    const client2 = redis.client();
    for (const key of await client2.keys('*')) {
      const type = await client2.type(key);
      const dump =
        type === 'hash' ? JSON.stringify(await client2.hgetall(key))
        : type === 'string' ? String(await client2.get(key))
        : type === 'list' ? JSON.stringify(await client2.lrange(key, 0, -1))
        : type === 'zset' ? JSON.stringify(await client2.zrange(key, '0', '-1'))
        : type === 'stream' ? JSON.stringify(await client2.xrange(key, '-', '+'))
        : '';
      for (const secret of SECRETS) assert.ok(!dump.includes(secret), `${key} holds a secret`);
    }
    for (const process of gateway.processes) {
      for (const secret of SECRETS) assert.ok(!process.output().includes(secret), `${process.name} logged a secret`);
    }
  });
});
