import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig, type SwitchyardConfig } from '@switchyard/config';
import { InvalidRequestError } from '@switchyard/contracts';
import { RedisConnections, RedisSubscriber } from '@switchyard/redis';
import { ApiKeyAdmin, ApiKeys, RuntimeKeyStore, TenantKeys, WebhookSecretVault, type CreateApiKeyDto } from '@switchyard/tenants';
import { PrivateRedis, writeConfig } from './support';

const YAML = `
auth:
  keys:
    - { name: ops, key: ops-key-0123456789abcdef, scopes: [admin] }
providers:
  mock: { type: mock }
models:
  echo: { targets: [{ provider: mock, model: echo }] }
`;
const SECRETS_KEY_HEX = 'ab'.repeat(32);
const SECRETS_KEY_BASE64 = Buffer.from(SECRETS_KEY_HEX, 'hex').toString('base64');

/** One gateway process's view of the key directory, built from a config as Nest would. */
interface Directory {
  admin: ApiKeyAdmin;
  keys: ApiKeys;
  close(): Promise<void>;
}

describe('run-time keys: webhook secrets sealed with auth.secrets_key', () => {
  let redis: PrivateRedis;
  let path: string;
  const opened: Directory[] = [];

  const config = (secretsKey?: string): SwitchyardConfig => loadConfig({ SWITCHYARD_CONFIG: path, REDIS_URL: redis.url, SWITCHYARD_SECRETS_KEY: secretsKey });

  async function directory(secretsKey?: string): Promise<Directory> {
    const loaded = config(secretsKey);
    const connections = new RedisConnections(loaded);
    const tenantKeys = new TenantKeys(loaded);
    const store = new RuntimeKeyStore(connections, tenantKeys);
    const vault = new WebhookSecretVault(loaded);
    const keys = new ApiKeys(loaded, store, new RedisSubscriber(connections), tenantKeys, vault);
    await connections.commands.ping();
    const made: Directory = { admin: new ApiKeyAdmin(keys, store, vault), keys, close: () => connections.onApplicationShutdown() };
    opened.push(made);
    return made;
  }

  const stored = async (name: string): Promise<{ webhook: { url?: string; secret?: string } }> => JSON.parse((await redis.client().hget('sy:api-keys', name)) ?? 'null') as { webhook: { url?: string; secret?: string } };
  const signingSecrets = async (dir: Directory, name: string): Promise<string[]> => ((await dir.keys.find(name))?.webhook.secrets ?? []).map((entry) => entry.secret);

  before(async () => {
    redis = await PrivateRedis.start();
    path = await writeConfig(YAML);
  });

  after(async () => {
    for (const dir of opened) await dir.close();
    await redis?.stop();
  });

  it('takes the key as 64 hex characters or base64 of 32 bytes, from the file or SWITCHYARD_SECRETS_KEY, and names a bad one', () => {
    assert.deepEqual(config(SECRETS_KEY_HEX).auth.secretsKey, Buffer.from(SECRETS_KEY_HEX, 'hex'));
    assert.deepEqual(config(SECRETS_KEY_BASE64).auth.secretsKey, Buffer.from(SECRETS_KEY_HEX, 'hex'));
    assert.equal(config().auth.secretsKey, undefined);
    assert.equal(JSON.stringify(config(SECRETS_KEY_HEX)).includes(SECRETS_KEY_HEX), false, 'redacted when logged');
    for (const bad of ['short', 'ab'.repeat(31), Buffer.alloc(16).toString('base64')]) {
      assert.throws(() => config(bad), (error: unknown) => error instanceof ConfigError && /SWITCHYARD_SECRETS_KEY.*32 random bytes/.test(error.message));
    }
  });

  it('stores a created key’s secret sealed, a new IV each time, and opens it to sign', async () => {
    const dir = await directory(SECRETS_KEY_BASE64);
    const one = await dir.admin.create({ name: 'sealed-one' } as CreateApiKeyDto);
    const two = await dir.admin.create({ name: 'sealed-two', webhook: { url: 'https://hooks.example.com/in' } } as CreateApiKeyDto);
    for (const [created, name] of [[one, 'sealed-one'], [two, 'sealed-two']] as const) {
      assert.match(created.webhook_secret ?? '', /^whsec_[A-Za-z0-9+/]{43}=$/);
      const record = await stored(name);
      assert.match(record.webhook.secret ?? '', /^v1:/);
      assert.ok(!JSON.stringify(record).includes(created.webhook_secret!.slice('whsec_'.length)), 'not in clear');
      assert.deepEqual(await signingSecrets(dir, name), [created.webhook_secret]);
    }
    assert.equal((await stored('sealed-two')).webhook.url, 'https://hooks.example.com/in');
  });

  it('opens nothing with another key, for another key name, or once the value is changed', async () => {
    const other = await directory(Buffer.alloc(32, 1).toString('base64'));
    assert.deepEqual(await signingSecrets(other, 'sealed-one'), []);
    const keyless = await directory();
    assert.deepEqual(await signingSecrets(keyless, 'sealed-one'), []);
    // A sealed value moved into another key's record, or altered, does not open.
    const dir = await directory(SECRETS_KEY_HEX);
    const [one, two] = [await stored('sealed-one'), await stored('sealed-two')];
    await redis.client().hset('sy:api-keys', 'sealed-two', JSON.stringify({ ...two, webhook: { ...two.webhook, secret: one.webhook.secret } }));
    assert.deepEqual(await signingSecrets(dir, 'sealed-two'), []);
    // The ciphertext's first character: all six of its bits are data (the last one's may be padding).
    const flipped = one.webhook.secret!.replace(/:(.)([^:]*)$/, (_all, first: string, rest: string) => `:${first === 'A' ? 'B' : 'A'}${rest}`);
    await redis.client().hset('sy:api-keys', 'sealed-one', JSON.stringify({ ...one, webhook: { ...one.webhook, secret: flipped } }));
    assert.deepEqual(await signingSecrets(dir, 'sealed-one'), []);
  });

  it('without a secrets key, creates keys with no webhook secret and refuses a key with a webhook', async () => {
    const dir = await directory();
    const created = await dir.admin.create({ name: 'no-secret' } as CreateApiKeyDto);
    assert.equal(created.webhook_secret, null);
    assert.deepEqual((await stored('no-secret')).webhook, {});
    assert.deepEqual(await signingSecrets(dir, 'no-secret'), []);
    await assert.rejects(dir.admin.create({ name: 'with-hook', webhook: { url: 'https://hooks.example.com/in' } } as CreateApiKeyDto), (error: unknown) => {
      assert.ok(error instanceof InvalidRequestError, String(error));
      assert.equal(error.code, 'secrets_key_missing');
      assert.match(error.message, /auth\.secrets_key.*SWITCHYARD_SECRETS_KEY/);
      return true;
    });
    assert.equal(await stored('with-hook'), null, 'nothing stored');
  });

  it('still signs with a secret an older gateway stored in clear', async () => {
    const legacy = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    await redis.client().hset('sy:api-keys', 'legacy', JSON.stringify({ name: 'legacy', sha256: 'ff'.repeat(32), hint: 'sk-sy-…abcd', scopes: ['jobs'], weight: 1, limits: {}, webhook: { secret: legacy }, created_at: 1, revoked_at: null }));
    assert.deepEqual(await signingSecrets(await directory(SECRETS_KEY_HEX), 'legacy'), [legacy]);
  });
});
