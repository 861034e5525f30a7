import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { api, PrivateRedis, spawnApp, startGateway, stopAll, waitFor, type ApiClient, type Gateway } from '../support';
import { TEAM_A_KEY, assertChatCompletion, type JobLike } from './fixtures';

/**
 * The latency path of a plain interactive call: its record and first queue entry leave in one
 * round trip, and the worker starts the call from the entry's copy of the record while its START
 * script is still on the way. These check the two races that opens.
 */
const CONFIG = `
server: { host: 127.0.0.1, interactive_wait_s: 30, direct_calls: 0 }
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY} }
providers:
  mock: { type: mock, concurrency: 10 }
models:
  mock-echo:
    targets: [{ provider: mock, model: echo }]
    cache: { mode: never }
`;

const ENTRY = (id: string) => `sy:provider.mock:${id}`;

describe('interactive calls: record and entry in one round trip, the call started before START answers', () => {
  let redis: PrivateRedis;
  let commands: Redis;
  let gateway: Gateway;
  let http: ApiClient;

  before(async () => {
    redis = await PrivateRedis.start();
    commands = new Redis(redis.url);
    gateway = await startGateway({ redis, config: CONFIG, apps: ['api'] });
    http = api(gateway.baseUrl, TEAM_A_KEY);
  });
  after(async () => {
    commands?.disconnect();
    await stopAll();
    await redis?.stop();
  });

  it('aborts an early-started call whose job was canceled after its entry was taken, and writes nothing for it', async () => {
    // No worker yet: the call waits on the queue with its record copy in the entry.
    const body = JSON.stringify({ model: 'mock-echo', messages: [{ role: 'user', content: 'slow #mock{"latency_ms":20000}' }] });
    // The client gives up; the job carries on.
    const pending = http.raw('POST', '/v1/chat/completions', { body, headers: { 'content-type': 'application/json' }, timeoutMs: 3000 }).catch(() => undefined);
    const jobId = await waitFor(async () => (await commands.keys('sy:job:job_*'))[0]?.slice('sy:job:'.length), { timeoutMs: 10_000, message: 'no job record' });
    await waitFor(async () => (await commands.exists(ENTRY(jobId))) === 1, { timeoutMs: 10_000, message: 'no queue entry' });
    // The cancel a worker would race with: the record ends while its entry still waits.
    await commands.hset(`sy:job:${jobId}`, 'status', 'canceled');
    await pending;

    const started = Date.now();
    await spawnApp('worker', { env: { SWITCHYARD_CONFIG: gateway.configPath, REDIS_URL: redis.url }, readyLine: /worker ready/i });
    // Run to its end, the mock would hold the call 20 s: START's answer cut it short.
    await waitFor(async () => (await commands.exists(ENTRY(jobId))) === 0, { timeoutMs: 10_000, message: 'the canceled job held its worker' });
    assert.ok(Date.now() - started < 15_000);
    const record = await commands.hgetall(`sy:job:${jobId}`);
    assert.equal(record.status, 'canceled');
    assert.equal(record.result, undefined, 'an unconfirmed call wrote a result');
  });

  it('completes calls whose record lands after their entry (Redis lost its scripts, so the record write is retried)', async () => {
    for (let i = 0; i < 10; i++) {
      // The record's script goes out by SHA first; without it, its retry follows the entry.
      await commands.script('FLUSH');
      const response = await http.post('/v1/chat/completions', { model: 'mock-echo', messages: [{ role: 'user', content: `race ${i}` }] });
      assert.equal(response.status, 200, response.text);
      assertChatCompletion(response.body);
      const jobId = response.headers['x-switchyard-job-id'];
      assert.equal(((await http.get(`/v1/jobs/${String(jobId)}`)).body as JobLike).status, 'succeeded');
    }
  });
});
