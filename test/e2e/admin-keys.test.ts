import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { api, PrivateRedis, startGateway, stopAll, waitFor, WEBHOOK_RECEIVER_HOST, WebhookReceiver, type ApiClient, type Gateway } from '../support';
import { assertErrorShape, chat, TEAM_A_KEY, type JobLike } from './fixtures';

const ADMIN_KEY = 'sk-admin-0123456789abcdef';

const CONFIG = `
server: { host: 127.0.0.1 }
auth:
  secrets_key: "${Buffer.alloc(32, 21).toString('base64')}"
  keys:
    - { name: ops, key: ${ADMIN_KEY}, scopes: [admin] }
    - { name: team-a, key: ${TEAM_A_KEY} }
providers:
  mock: { type: mock, concurrency: 20 }
models:
  mock-echo:
    targets: [{ provider: mock, model: echo }]
webhooks:
  retry_schedule_s: [0, 0.3]
  allow_private: [${WEBHOOK_RECEIVER_HOST}/32]
retention: { succeeded_s: 600, failed_s: 600 }
`;

interface CreatedKey {
  name: string;
  key: string;
  webhook_secret: string;
  key_hint: string;
  status: string;
}

describe('run-time API keys: /admin/keys', () => {
  let redis: PrivateRedis;
  let gateway: Gateway;
  let admin: ApiClient;
  let receiver: WebhookReceiver;

  before(async () => {
    redis = await PrivateRedis.start();
    receiver = await WebhookReceiver.start();
    gateway = await startGateway({ redis, config: CONFIG, apps: ['api', 'api', 'worker'] });
    admin = api(gateway.baseUrls[0], ADMIN_KEY);
  });

  after(async () => {
    await stopAll();
    await receiver?.stop();
    await redis?.stop();
  });

  async function create(body: Record<string, unknown>): Promise<CreatedKey> {
    const response = await admin.post('/admin/keys', body);
    assert.equal(response.status, 201, response.text);
    return response.body as CreatedKey;
  }

  it('a created key works at once on both API processes, and a revoked one stops at once on both', async () => {
    const created = await create({ name: 'team-runtime', scopes: ['jobs'] });
    assert.match(created.key, /^sk-sy-[A-Za-z0-9_-]{43}$/);
    assert.match(created.webhook_secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    const [first, second] = gateway.baseUrls.map((url) => api(url, created.key));
    for (const client of [second, first]) {
      const submitted = await client.post('/v1/jobs', chat('mock-echo', 'hello'));
      assert.equal(submitted.status, 202, submitted.text);
      const job = submitted.body as JobLike;
      const read = await client.get(`/v1/jobs/${job.id}?wait=10`);
      assert.equal(read.status, 200, read.text);
      assert.equal((read.body as JobLike).status, 'succeeded');
    }

    const revoked = await admin.delete('/admin/keys/team-runtime');
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal((revoked.body as CreatedKey).status, 'revoked');
    for (const client of [second, first]) {
      const refused = await client.get('/v1/models');
      assert.equal(refused.status, 401, refused.text);
      assertErrorShape(refused.body, 'revoked key');
      assert.equal(refused.body.error.type, 'authentication_error');
    }
    // The name stays taken, so a new key can never read the revoked key's jobs.
    const again = await admin.post('/admin/keys', { name: 'team-runtime' });
    assert.equal(again.status, 409, again.text);
  });

  it('lists config and run-time keys without any key or secret, only a hint', async () => {
    const created = await create({ name: 'listed', limits: { rpm: 100, max_waiting: 5 }, weight: 3, monthly_budget_usd: 12.5 });
    const listed = await admin.get('/admin/keys');
    assert.equal(listed.status, 200, listed.text);
    assert.ok(!listed.text.includes(created.key) && !listed.text.includes(created.webhook_secret), 'the list holds no key or secret');
    assert.ok(!listed.text.includes(ADMIN_KEY) && !listed.text.includes(TEAM_A_KEY));
    const entries = (listed.body as { data: Array<Record<string, unknown>> }).data;
    assert.deepEqual(entries.map((entry) => `${String(entry.name)}:${String(entry.source)}`).filter((name) => ['ops:config', 'team-a:config', 'listed:runtime'].includes(name)).sort(), [
      'listed:runtime',
      'ops:config',
      'team-a:config',
    ]);
    const shown = await admin.get('/admin/keys/listed');
    assert.equal(shown.status, 200, shown.text);
    assert.ok(!shown.text.includes(created.key) && !shown.text.includes(created.webhook_secret));
    const view = shown.body as Record<string, unknown>;
    assert.equal(view.key_hint, `sk-sy-…${created.key.slice(-4)}`);
    assert.deepEqual(view.limits, { rpm: 100, tokens_per_day: null, max_waiting: 5 });
    assert.equal(view.weight, 3);
    assert.equal(view.monthly_budget_usd, 12.5);
    assert.equal(view.key, undefined);
    assert.equal(view.webhook_secret, undefined);
  });

  it('refuses non-admin keys with 403, config-key revokes and duplicate names with 409, bad bodies with 400', async () => {
    const teamA = api(gateway.baseUrls[1], TEAM_A_KEY);
    for (const response of [await teamA.get('/admin/keys'), await teamA.post('/admin/keys', { name: 'sneaky', scopes: ['admin'] }), await teamA.delete('/admin/keys/ops')]) {
      assert.equal(response.status, 403, response.text);
      assertErrorShape(response.body, 'non-admin');
      assert.equal(response.body.error.type, 'permission_error');
    }
    const configRevoke = await admin.delete('/admin/keys/team-a');
    assert.equal(configRevoke.status, 409, configRevoke.text);
    assertErrorShape(configRevoke.body, 'config key');
    assert.equal((await teamA.get('/v1/models')).status, 200, 'the config key still works');
    assert.equal((await admin.post('/admin/keys', { name: 'ops' })).status, 409, 'a config key name is taken');
    for (const body of [{}, { name: 'has space' }, { name: 'x', scopes: ['root'] }, { name: 'x', limits: { rpm: 0 } }, { name: 'x', monthly_budget_usd: -1 }, { name: 'x', extra: 1 }]) {
      const response = await admin.post('/admin/keys', body);
      assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
      assertErrorShape(response.body, JSON.stringify(body));
    }
    assert.equal((await admin.get('/admin/keys/nobody')).status, 404);
    assert.equal((await admin.delete('/admin/keys/nobody')).status, 404);
  });

  it("signs a run-time key's webhooks with its generated secret, on the worker process", async () => {
    const created = await create({ name: 'hooked', webhook: { url: receiver.url } });
    const client = api(gateway.baseUrls[1], created.key);
    const submitted = await client.post('/v1/jobs', chat('mock-echo', 'ring me'));
    assert.equal(submitted.status, 202, submitted.text);
    const jobId = (submitted.body as JobLike).id;
    const delivery = await waitFor(() => receiver.received.find((entry) => entry.body.includes(jobId)), { timeoutMs: 15_000 });
    const headers = Object.fromEntries(Object.entries(delivery.headers).map(([name, value]) => [name, String(value)]));
    const event = new Webhook(created.webhook_secret).verify(delivery.body, headers) as { type: string; data: { id: string } };
    assert.equal(event.type, 'job.succeeded');
    assert.equal(event.data.id, jobId);
  });
});
