import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { ConfigError, loadConfig } from '@switchyard/config';
import { writeConfig } from './support';

async function load(yamlText: string, env: NodeJS.ProcessEnv = {}) {
  return loadConfig({ ...env, SWITCHYARD_CONFIG: await writeConfig(yamlText) });
}

async function problems(yamlText: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    await load(yamlText, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail('the config was accepted');
}

const MOCK = 'providers:\n  a: { type: mock }\nmodels:\n  m: { targets: [{ provider: a, model: echo }] }\n';

describe('redis.cluster configuration', () => {
  it('keeps the plain prefix and no cluster by default', async () => {
    const config = await load(MOCK);
    assert.equal(config.redis.prefix, 'sy');
    assert.equal(config.redis.cluster, undefined);
  });

  it('takes cluster nodes from the file and wraps the prefix as a hash tag', async () => {
    const config = await load(`redis:\n  prefix: team1\n  cluster:\n    nodes: [redis://10.0.0.1:7000, redis://10.0.0.2:7000]\n${MOCK}`);
    assert.deepEqual(config.redis.cluster?.nodes, ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000']);
    assert.equal(config.redis.prefix, '{team1}');
  });

  it('keeps a prefix that already holds a hash tag, and wraps one whose braces are empty', async () => {
    const nodes = 'cluster: { nodes: [redis://127.0.0.1:7000] }';
    assert.equal((await load(`redis: { prefix: 'sy{prod}', ${nodes} }\n${MOCK}`)).redis.prefix, 'sy{prod}');
    assert.equal((await load(`redis: { prefix: 'a{}b', ${nodes} }\n${MOCK}`)).redis.prefix, '{a{}b}');
  });

  it('takes REDIS_CLUSTER_NODES, comma-separated, over the file', async () => {
    const config = await load(`redis:\n  cluster: { nodes: [redis://10.0.0.9:7000] }\n${MOCK}`, { REDIS_CLUSTER_NODES: 'redis://127.0.0.1:7001, redis://127.0.0.1:7002,' });
    assert.deepEqual(config.redis.cluster?.nodes, ['redis://127.0.0.1:7001', 'redis://127.0.0.1:7002']);
    assert.equal(config.redis.prefix, '{sy}');
  });

  it('refuses nodes that are not Redis URLs, name a database, or log in differently', async () => {
    assert.match(await problems(MOCK, { REDIS_CLUSTER_NODES: 'http://127.0.0.1:7001' }), /REDIS_CLUSTER_NODES.*redis:\/\/ or rediss:\/\/ URL/s);
    assert.match(await problems(`redis: { cluster: { nodes: [redis://127.0.0.1:7001/2] } }\n${MOCK}`), /nodes.*database 0/s);
    assert.match(await problems(`redis: { cluster: { nodes: [] } }\n${MOCK}`), /at least one node/);
    assert.match(await problems(`redis: { cluster: { nodes: ['redis://:a@127.0.0.1:7001', 'rediss://:a@127.0.0.1:7002'] } }\n${MOCK}`), /same scheme and credentials/);
    assert.match(await problems(`redis: { cluster: { hosts: [redis://127.0.0.1:7001] } }\n${MOCK}`), /hosts/);
  });

  it('redacts node passwords when the config is logged', async () => {
    const secret = 'cluster-pass-0123456789';
    const config = await load(`redis: { cluster: { nodes: ['redis://:${secret}@127.0.0.1:7001'] } }\n${MOCK}`);
    assert.ok(!JSON.stringify(config).includes(secret));
    assert.ok(!inspect(config, { depth: 10 }).includes(secret));
    assert.match(JSON.stringify(config), /127\.0\.0\.1:7001/);
  });
});
