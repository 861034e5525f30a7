import 'reflect-metadata';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CachePolicy, GLOBAL_SCOPE } from '@switchyard/cache';
import { loadConfig } from '@switchyard/config';
import type { JobRequest } from '@switchyard/contracts';
import { writeConfig } from './support';

const CONFIG_YAML = `
providers:
  mock: { type: mock }
cache: { ttl_s: 600 }
models:
  plain: { targets: [{ provider: mock, model: echo }] }
  always: { targets: [{ provider: mock, model: echo }], cache: { mode: always, ttl_s: 60 } }
  never: { targets: [{ provider: mock, model: echo }], cache: { mode: never } }
`;

const chat = (fields: { temperature?: number; seed?: number } = {}): JobRequest => ({ type: 'chat', model: 'plain', messages: [{ role: 'user', content: 'hi' }], ...fields });
const embedding: JobRequest = { type: 'embedding', model: 'plain', input: 'hi' };

describe('CachePolicy', () => {
  let policy: CachePolicy;

  before(async () => {
    policy = new CachePolicy(loadConfig({ SWITCHYARD_CONFIG: await writeConfig(CONFIG_YAML) }));
  });

  it('in auto mode caches chat at temperature 0 or with a seed, with the global ttl', () => {
    assert.deepEqual(policy.decide(chat({ temperature: 0 }), 'plain'), { enabled: true, ttlS: 600 });
    assert.deepEqual(policy.decide(chat({ temperature: 0.7, seed: 42 }), 'plain'), { enabled: true, ttlS: 600 });
    assert.deepEqual(policy.decide(chat({ seed: 0 }), 'plain'), { enabled: true, ttlS: 600 });
  });

  it('in auto mode leaves sampled chat alone', () => {
    assert.equal(policy.decide(chat(), 'plain').enabled, false);
    assert.equal(policy.decide(chat({ temperature: 0.7 }), 'plain').enabled, false);
  });

  it('always caches embeddings in auto mode', () => {
    assert.equal(policy.decide(embedding, 'plain').enabled, true);
  });

  it('lets the request opt out with cache: false, whatever the mode', () => {
    assert.equal(policy.decide(chat({ temperature: 0 }), 'plain', false).enabled, false);
    assert.equal(policy.decide(embedding, 'always', false).enabled, false);
  });

  it('lets the request opt in with its own ttl, or the configured one', () => {
    assert.deepEqual(policy.decide(chat({ temperature: 1 }), 'plain', { ttl_s: 30 }), { enabled: true, ttlS: 30 });
    assert.deepEqual(policy.decide(chat({ temperature: 1 }), 'plain', {}), { enabled: true, ttlS: 600 });
    assert.deepEqual(policy.decide(chat({ temperature: 1 }), 'plain', { ttl_s: -5 }), { enabled: true, ttlS: 600 });
  });

  it("applies a model's mode and ttl over the global ones", () => {
    assert.deepEqual(policy.decide(chat({ temperature: 1 }), 'always'), { enabled: true, ttlS: 60 });
    assert.equal(policy.decide(chat({ temperature: 0 }), 'never').enabled, false);
    assert.equal(policy.decide(embedding, 'never').enabled, false);
  });

  it("keeps a model's never over a request's opt-in", () => {
    assert.equal(policy.decide(chat({ temperature: 0 }), 'never', { ttl_s: 30 }).enabled, false);
  });

  it('falls back to the global settings for a model it does not know', () => {
    assert.deepEqual(policy.decide(chat({ temperature: 0 }), 'unknown'), { enabled: true, ttlS: 600 });
  });

  it('scopes entries by key unless the cache is global', async () => {
    assert.equal(policy.scope('team-a'), 'team-a');
    const global = new CachePolicy(loadConfig({ SWITCHYARD_CONFIG: await writeConfig(`${CONFIG_YAML}\n`.replace('cache: { ttl_s: 600 }', 'cache: { ttl_s: 600, scope: global }')) }));
    assert.equal(global.scope('team-a'), GLOBAL_SCOPE);
  });
});
