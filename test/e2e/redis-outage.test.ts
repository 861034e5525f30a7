import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, PrivateRedis, startGateway, stopAll, waitFor, type Gateway } from '../support';
import { assertErrorShape, TEAM_A_KEY, type JobLike } from './fixtures';

const CONFIG = `
server: { host: 127.0.0.1 }
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY} }
providers:
  mock: { type: mock }
models:
  m:
    targets: [{ provider: mock, model: echo }]
`;

describe('Redis going away under a running gateway', () => {
  let redis: PrivateRedis;
  let gateway: Gateway;

  before(async () => {
    redis = await PrivateRedis.start();
    gateway = await startGateway({ redis, config: CONFIG });
  });
  after(async () => {
    await stopAll();
    await redis?.stop();
  });

  it('answers 503 in the error shape, never 500, and recovers by itself when Redis is back', async () => {
    const client = api(gateway.baseUrl, TEAM_A_KEY);
    const submitted = (await client.post('/v1/jobs', { model: 'm', messages: [{ role: 'user', content: 'before' }] })).body as JobLike;
    await redis.kill();

    const started = Date.now();
    const read = await client.get(`/v1/jobs/${submitted.id}`);
    assert.equal(read.status, 503, read.text);
    assertErrorShape(read.body, 'read while Redis is down');
    assert.ok(Date.now() - started < 7_000, `the read took ${Date.now() - started} ms`);
    const submit = await client.post('/v1/jobs', { model: 'm', messages: [{ role: 'user', content: 'while down' }] });
    assert.equal(submit.status, 503, submit.text);
    assertErrorShape(submit.body, 'submit while Redis is down');

    await redis.restart();
    await waitFor(async () => (await client.get('/readyz')).status === 200, { timeoutMs: 30_000, message: 'the gateway did not recover' });
    const after = await client.post('/v1/jobs', { model: 'm', messages: [{ role: 'user', content: 'after' }] });
    assert.equal(after.status, 202, after.text);
    assert.equal(((await client.get(`/v1/jobs/${(after.body as JobLike).id}?wait=20`)).body as JobLike).status, 'succeeded');
  });
});
