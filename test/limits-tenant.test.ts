import 'reflect-metadata';
import { PrivateRedis, waitFor, writeConfig } from './support';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '@switchyard/config';
import { ServiceUnavailableError, TooManyRequestsError } from '@switchyard/contracts';
import { TenantLimits } from '@switchyard/limits';
import { RedisConnections, RedisSubscriber } from '@switchyard/redis';
import { ApiKeys, RuntimeKeyStore, TenantKeys, UsageLedger, WebhookSecretVault } from '@switchyard/tenants';

const TENANTS_YAML = `
auth:
  keys:
    - { name: team-a, key: team-a-key-0123456789, limits: { rpm: 3 } }
    - { name: team-b, key: team-b-key-0123456789, limits: { rpm: 3 } }
    - { name: team-c, key: team-c-key-0123456789, limits: { tokens_per_day: 1000 } }
    - { name: open, key: open-key-0123456789ab, limits: { max_waiting: 5 } }
providers:
  mock: { type: mock }
models:
  echo: { targets: [{ provider: mock, model: echo }] }
`;

async function refusal(promise: Promise<unknown>): Promise<TooManyRequestsError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TooManyRequestsError, `expected a TooManyRequestsError, got ${String(error)}`);
    return error;
  }
  assert.fail('the request was admitted');
}

describe('TenantLimits', () => {
  let redis: PrivateRedis;
  let connections: RedisConnections;
  let tenants: TenantLimits;

  before(async () => {
    redis = await PrivateRedis.start();
    const config = loadConfig({ SWITCHYARD_CONFIG: await writeConfig(TENANTS_YAML), REDIS_URL: redis.url });
    connections = new RedisConnections(config);
    const keys = new TenantKeys(config);
    const directory = new ApiKeys(config, new RuntimeKeyStore(connections, keys), new RedisSubscriber(connections), keys, new WebhookSecretVault(config));
    tenants = new TenantLimits(config, connections, directory, new UsageLedger(connections, keys));
    // The quotas refuse to guess while the connection is not up yet.
    await connections.commands.ping();
  });

  after(async () => {
    await connections.onApplicationShutdown();
    await redis.stop();
  });

  it('refuses the request over the rpm limit with a 429 rate_limit_exceeded and a retry-after', async () => {
    for (let i = 0; i < 3; i++) await tenants.admit('team-a', 10);
    const error = await refusal(tenants.admit('team-a', 10));
    assert.equal(error.status, 429);
    assert.equal(error.code, 'rate_limit_exceeded');
    const retryAfter = Number(error.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `retry-after ${error.headers['retry-after']}`);
  });

  it("leaves another key's quota alone", async () => {
    for (let i = 0; i < 3; i++) await tenants.admit('team-b', 10);
    await refusal(tenants.admit('team-b', 10));
  });

  it('counts tokens per day, and a refused request does not use up what is left', async () => {
    await tenants.admit('team-c', 600);
    const error = await refusal(tenants.admit('team-c', 600));
    assert.equal(error.status, 429);
    assert.equal(error.code, 'tokens_per_day_exceeded');
    assert.ok(Number(error.headers['retry-after']) > 3600, `retry-after ${error.headers['retry-after']}`);
    // 600 + 400 fits the 1000 of the day: the refused 600 were given back.
    await tenants.admit('team-c', 400);
    await refusal(tenants.admit('team-c', 1));
  });

  it('answers 503 while Redis is down, never letting a limited key through, and admits unlimited callers without Redis', async () => {
    await redis.kill();
    await waitFor(() => connections.commands.status !== 'ready', { message: 'the client to notice Redis is gone' });
    await assert.rejects(tenants.admit('team-a', 1), (error) => error instanceof ServiceUnavailableError && error.status === 503);
    await assert.rejects(tenants.admit('team-c', 1), ServiceUnavailableError);
    await tenants.admit('open', 1_000_000);
    await tenants.admit('anonymous', 1_000_000);
  });
});
