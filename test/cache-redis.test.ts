import 'reflect-metadata';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { InflightCalls, ResponseCache, cacheKey, type CachedResponse } from '@switchyard/cache';
import { loadConfig, type SwitchyardConfig } from '@switchyard/config';
import type { JobRequest } from '@switchyard/contracts';
import { RedisConnections } from '@switchyard/redis';
import { PrivateRedis, writeConfig } from './support';

const CONFIG_YAML = `
redis: { prefix: cachetest }
providers:
  mock: { type: mock }
models:
  echo: { targets: [{ provider: mock, model: echo }] }
`;

let counter = 0;
/** A fresh cache key per test, so tests never see each other's state. */
function freshKey(): string {
  const request: JobRequest = { type: 'chat', model: 'echo', messages: [{ role: 'user', content: `question ${++counter}` }], temperature: 0 };
  return cacheKey(request, { provider: 'mock', model: 'echo' }, 'team-a');
}

function response(text: string): CachedResponse {
  const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
  return {
    result: {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'echo',
      choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage,
    },
    usage,
    provider: 'mock',
    provider_model: 'echo',
    stored_at: Date.now(),
  };
}

describe('ResponseCache and InflightCalls on Redis', () => {
  let redis: PrivateRedis;
  let config: SwitchyardConfig;
  const connections: RedisConnections[] = [];
  let cache: ResponseCache;
  let inflight: InflightCalls;
  let otherProcess: InflightCalls;

  before(async () => {
    redis = await PrivateRedis.start();
    config = loadConfig({ SWITCHYARD_CONFIG: await writeConfig(CONFIG_YAML), REDIS_URL: redis.url });
    // Two connections, as two worker processes would have.
    connections.push(new RedisConnections(config), new RedisConnections(config));
    await Promise.all(connections.map((c) => c.commands.ping()));
    cache = new ResponseCache(connections[0], config);
    inflight = new InflightCalls(connections[0], config);
    otherProcess = new InflightCalls(connections[1], config);
  });

  after(async () => {
    await Promise.all(connections.map((c) => c.onApplicationShutdown()));
    await redis.stop();
  });

  it('stores an answer under the prefix and returns it until its ttl runs out', async () => {
    const key = freshKey();
    assert.equal(await cache.get(key), null);
    const stored = response('hello');
    await cache.set(key, stored, 1);
    assert.deepEqual(await cache.get(key), stored);
    assert.equal(await connections[0].commands.exists(`cachetest:cache:${key}`), 1);
    await sleep(1_100);
    assert.equal(await cache.get(key), null);
  });

  it('treats an unreadable entry as a miss', async () => {
    const key = freshKey();
    await connections[0].commands.set(`cachetest:cache:${key}`, '{not json', 'EX', 60);
    assert.equal(await cache.get(key), null);
  });

  it('makes exactly one leader of 200 concurrent claims from two processes, and completing returns the 199 followers once', async () => {
    const key = freshKey();
    const ids = Array.from({ length: 200 }, (_, i) => `job_${i}`);
    const roles = await Promise.all(ids.map((id, i) => (i % 2 === 0 ? inflight : otherProcess).claim(key, id, 10_000).then((role) => ({ id, role }))));
    const leaders = roles.filter(({ role }) => role.role === 'leader');
    assert.equal(leaders.length, 1);
    const leader = leaders[0].id;
    for (const { role } of roles) if (role.role === 'follower') assert.equal(role.leader, leader);

    const followers = await otherProcess.complete(key, leader, { ok: true, response: response('shared'), ttlS: 60 });
    assert.equal(followers.length, 199);
    assert.deepEqual(new Set(followers), new Set(ids.filter((id) => id !== leader)));
    assert.deepEqual(await inflight.complete(key, leader, { ok: true, response: response('shared'), ttlS: 60 }), []);
    // The answer was stored with the completion: a job that looked the cache up just before it
    // and claims just after gets that answer, not the lead of a second call.
    assert.equal((await cache.get(key))?.provider_model, 'echo');
    assert.equal(await inflight.leader(key), null);
    const late = await inflight.claim(key, 'job_late', 10_000);
    assert.equal(late.role, 'hit');
    assert.equal(late.role === 'hit' ? late.response.provider_model : null, 'echo');
    assert.deepEqual(await inflight.orphans(), []);
  });

  it('keeps a leader that claims again (a re-run of its stalled entry) the leader', async () => {
    const key = freshKey();
    assert.deepEqual(await inflight.claim(key, 'job_a', 10_000), { role: 'leader' });
    assert.deepEqual(await otherProcess.claim(key, 'job_a', 10_000), { role: 'leader' });
    assert.deepEqual(await otherProcess.claim(key, 'job_b', 10_000), { role: 'follower', leader: 'job_a' });
  });

  it('on failure stores nothing and returns the followers to run on their own', async () => {
    const key = freshKey();
    await inflight.claim(key, 'job_a', 10_000);
    await inflight.claim(key, 'job_b', 10_000);
    await otherProcess.claim(key, 'job_c', 10_000);
    const followers = await inflight.complete(key, 'job_a', { ok: false });
    assert.deepEqual(followers.sort(), ['job_b', 'job_c']);
    assert.equal(await cache.get(key), null);
    assert.equal(await inflight.leader(key), null);
  });

  it('makes the followers of a leader that never completes recoverable once its lease runs out, exactly once', async () => {
    const key = freshKey();
    assert.deepEqual(await inflight.claim(key, 'job_crashed', 300), { role: 'leader' });
    for (const id of ['job_1', 'job_2', 'job_3']) assert.equal((await otherProcess.claim(key, id, 300)).role, 'follower');
    assert.deepEqual(await inflight.orphans(), [], 'nothing is orphaned while the lease runs');

    await sleep(400);
    const orphans = await otherProcess.orphans();
    assert.deepEqual(orphans.map((o) => o.jobId).sort(), ['job_1', 'job_2', 'job_3']);
    for (const orphan of orphans) assert.equal(orphan.key, key);
    assert.deepEqual(await inflight.orphans(), [], 'a second sweep finds nothing');
  });

  it("lets a follower's own re-check take over after the lease, without waiting for itself", async () => {
    const key = freshKey();
    await inflight.claim(key, 'job_crashed', 300);
    await otherProcess.claim(key, 'job_1', 300);
    await otherProcess.claim(key, 'job_2', 300);
    await sleep(400);
    assert.deepEqual(await otherProcess.claim(key, 'job_1', 10_000), { role: 'leader' });
    // job_2 still waits, now for job_1; a sweep leaves it alone because a leader holds the key.
    assert.deepEqual(await inflight.orphans(), []);
    assert.deepEqual(await otherProcess.complete(key, 'job_1', { ok: true, response: response('late'), ttlS: 60 }), ['job_2']);
  });

  it('leaves the followers to a new leader when a replaced leader fails late, but serves them when it succeeds late', async () => {
    const key = freshKey();
    await inflight.claim(key, 'job_slow', 200);
    await sleep(300);
    await inflight.claim(key, 'job_new', 10_000);
    await inflight.claim(key, 'job_waiting', 10_000);
    assert.deepEqual(await inflight.complete(key, 'job_slow', { ok: false }), []);
    assert.equal(await inflight.leader(key), 'job_new');
    assert.deepEqual(await inflight.complete(key, 'job_slow', { ok: true, response: response('slow'), ttlS: 60 }), ['job_waiting']);
    assert.equal(await inflight.leader(key), 'job_new', "the new leader's claim stays");
  });
});
