import 'reflect-metadata';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { request } from 'undici';
import type { WireRecord } from '../../apps/mock-provider/src/wire-log';
import { loadConfig } from '@switchyard/config';
import { RedisConnections, RedisSubscriber } from '@switchyard/redis';
import { ApiKeys, RuntimeKeyStore, TenantKeys, WebhookSecretVault } from '@switchyard/tenants';
import {
  api,
  PrivateRedis,
  repoRoot,
  startGateway,
  startMockProvider,
  stopAll,
  waitFor,
  WEBHOOK_RECEIVER_HOST,
  WebhookReceiver,
  writeConfig,
  type ApiClient,
  type ApiResponse,
  type Gateway,
  type MockProvider,
  type RequestHeaders,
} from '../support';
import { installScripts, readPackageJson } from '../support/security/dependencies';
import { readAllRedis } from '../support/security/redis-values';
import { assertErrorShape, chat, TEAM_A_KEY, TEAM_B_KEY, UPSTREAM_KEY, type JobLike } from './fixtures';

const ADMIN_KEY = 'sk-sec-admin-0123456789abcdef';
const LIMITED_KEY = 'sk-sec-limited-0123456789abc';
/** What a client might try to slip to the upstream in place of the configured key. */
const EVIL_KEY = 'sk-evil-client-chosen-0123456789';
const SECRET_A = `whsec_${Buffer.alloc(32, 11).toString('base64')}`;
const SECRET_B = `whsec_${Buffer.alloc(32, 12).toString('base64')}`;
const BODY_LIMIT = 65_536;
/** Seals run-time keys' webhook secrets in Redis (auth.secrets_key). */
const SECRETS_KEY = Buffer.alloc(32, 13).toString('base64');

function config(mock: MockProvider, receiver: WebhookReceiver): string {
  return `
server: { host: 127.0.0.1, body_limit_bytes: ${BODY_LIMIT} }
auth:
  secrets_key: "${SECRETS_KEY}"
  keys:
    - { name: ops, key: ${ADMIN_KEY}, scopes: [admin] }
    - { name: team-a, key: ${TEAM_A_KEY}, webhook: { url: "${receiver.url}", secret: "${SECRET_A}" } }
    - { name: team-b, key: "\${TEAM_B_KEY}", webhook: { secret: "${SECRET_B}" } }
    - { name: limited, key: ${LIMITED_KEY}, limits: { rpm: 3 } }
providers:
  mock: { type: mock, concurrency: 20 }
  upstream:
    type: openai
    base_url: ${mock.baseUrl}/v1
    api_key: \${UPSTREAM_KEY}
    concurrency: 20
    retries: 0
models:
  mock-echo:
    targets: [{ provider: mock, model: echo }]
  gpt-mock:
    targets: [{ provider: upstream, model: gpt-4o-mini }]
  embed-mock:
    targets: [{ provider: upstream, model: text-embedding-3-small }]
metrics: { require_key: true }
webhooks:
  retry_schedule_s: [0, 0.3]
  allow_private: [${WEBHOOK_RECEIVER_HOST}/32]
retention: { succeeded_s: 600, failed_s: 600 }
`;
}

/** Every response of the run, so the last test can search them all for credentials. */
const seen: ApiResponse[] = [];

function recorded(client: ApiClient): ApiClient {
  const keep = async (response: Promise<ApiResponse>): Promise<ApiResponse> => {
    const value = await response;
    seen.push(value);
    return value;
  };
  return {
    baseUrl: client.baseUrl,
    get: (path, headers) => keep(client.get(path, headers)),
    post: (path, body, headers) => keep(client.post(path, body, headers)),
    put: (path, body, headers) => keep(client.put(path, body, headers)),
    delete: (path, headers) => keep(client.delete(path, headers)),
    raw: (method, path, options) => keep(client.raw(method, path, options)),
  };
}

interface FileLike {
  id: string;
}
interface BatchLike {
  id: string;
  status: string;
  output_file_id: string | null;
  error_file_id: string | null;
  request_counts: { total: number; completed: number; failed: number };
}

describe('security: isolation, auth, credentials, request limits and dependencies', () => {
  let redis: PrivateRedis;
  let mock: MockProvider;
  let receiver: WebhookReceiver;
  /** Stands in for an attacker's server: a provider call that reaches it is a CVE-2024-6587. */
  let evil: WebhookReceiver;
  let evilOrigin: string;
  let gateway: Gateway;
  let teamA: ApiClient;
  let teamB: ApiClient;
  let admin: ApiClient;
  let anonymous: ApiClient;
  const runtimeKeys: string[] = [];
  const runtimeWebhookSecrets: string[] = [];

  before(async () => {
    redis = await PrivateRedis.start();
    [mock, receiver, evil] = await Promise.all([startMockProvider(), WebhookReceiver.start(), WebhookReceiver.start()]);
    evilOrigin = new URL(evil.url).origin;
    gateway = await startGateway({ redis, config: config(mock, receiver), apps: ['api', 'worker'], env: { UPSTREAM_KEY, TEAM_B_KEY } });
    teamA = recorded(api(gateway.baseUrl, TEAM_A_KEY));
    teamB = recorded(api(gateway.baseUrl, TEAM_B_KEY));
    admin = recorded(api(gateway.baseUrl, ADMIN_KEY));
    anonymous = recorded(api(gateway.baseUrl));
  });

  after(async () => {
    await stopAll();
    await Promise.all([receiver?.stop(), evil?.stop()]);
    await redis?.stop();
  });

  async function settledJob(client: ApiClient, id: string): Promise<JobLike> {
    return waitFor(
      async () => {
        const job = (await client.get(`/v1/jobs/${id}?wait=5`)).body as JobLike;
        return ['succeeded', 'failed', 'canceled', 'expired'].includes(job.status) && job;
      },
      { timeoutMs: 20_000, message: `job ${id} to finish` },
    );
  }

  async function upload(client: ApiClient, lines: unknown[]): Promise<FileLike> {
    const form = new FormData();
    form.append('purpose', 'batch');
    form.append('file', new Blob([`${lines.map((line) => JSON.stringify(line)).join('\n')}\n`]), 'lines.jsonl');
    const response = await fetch(`${client.baseUrl}/v1/files`, { method: 'POST', body: form, headers: { authorization: `Bearer ${TEAM_A_KEY}` } });
    const text = await response.text();
    seen.push({ status: response.status, headers: Object.fromEntries(response.headers), body: text, text });
    assert.equal(response.status, 200, text);
    return JSON.parse(text) as FileLike;
  }

  async function settledBatch(id: string): Promise<BatchLike> {
    return waitFor(
      async () => {
        const batch = (await teamA.get(`/v1/batches/${id}`)).body as BatchLike;
        return ['completed', 'failed', 'cancelled', 'expired'].includes(batch.status) && batch;
      },
      { timeoutMs: 30_000, message: `batch ${id} to finish` },
    );
  }

  async function wire(): Promise<WireRecord[]> {
    const response = await request(`${mock.baseUrl}/_control/wire?limit=500`);
    return ((await response.body.json()) as { data: WireRecord[] }).data;
  }

  async function clearWire(): Promise<void> {
    await (await request(`${mock.baseUrl}/_control/wire`, { method: 'DELETE' })).body.dump();
  }

  describe('tenant isolation', () => {
    it("gives key B a 404, never a 403, for every id of key A's, and changes nothing", async () => {
      const submitted = await teamA.post('/v1/jobs', chat('gpt-mock', 'private to team a'));
      assert.equal(submitted.status, 202, submitted.text);
      const job = await settledJob(teamA, (submitted.body as JobLike).id);
      assert.equal(job.status, 'succeeded');
      await waitFor(() => receiver.received.some((delivery) => delivery.body.includes(job.id)), { message: 'the delivery to team a' });
      const file = await upload(teamA, [{ custom_id: 'line-1', method: 'POST', url: '/v1/chat/completions', body: chat('mock-echo', 'batch of team a') }]);
      const created = await teamA.post('/v1/batches', { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      assert.equal(created.status, 200, created.text);
      const batch = await settledBatch((created.body as BatchLike).id);
      assert.equal(batch.status, 'completed');

      const foreign: Array<[method: string, path: string]> = [
        ['GET', `/v1/jobs/${job.id}`],
        ['POST', `/v1/jobs/${job.id}/cancel`],
        ['POST', `/v1/jobs/${job.id}/retry`],
        ['GET', `/v1/jobs/${job.id}/deliveries`],
        ['POST', `/v1/jobs/${job.id}/deliveries/redeliver`],
        ['GET', `/v1/batches/${batch.id}`],
        ['POST', `/v1/batches/${batch.id}/cancel`],
        ['GET', `/v1/batches/${batch.id}/results`],
        ['POST', `/v1/batches/${batch.id}/requests/line-1/cancel`],
        ['GET', `/v1/files/${file.id}`],
        ['GET', `/v1/files/${file.id}/content`],
        ['DELETE', `/v1/files/${file.id}`],
        ['GET', `/v1/files/${batch.output_file_id ?? 'none'}/content`],
      ];
      for (const [method, path] of foreign) {
        const response = await teamB.raw(method, path);
        assert.equal(response.status, 404, `${method} ${path} with key B: ${response.text}`);
        assertErrorShape(response.body, `${method} ${path}`);
        assert.ok(!response.text.includes('private to team a') && !response.text.includes('team-a'), `${method} ${path} tells B nothing about A`);
      }
      // Nothing moved: A's objects are as they were, and a redelivery B asked for never went out.
      const deliveries = receiver.received.filter((delivery) => delivery.body.includes(job.id)).length;
      assert.equal(((await teamA.get(`/v1/jobs/${job.id}`)).body as JobLike).status, 'succeeded');
      assert.equal(((await teamA.get(`/v1/batches/${batch.id}`)).body as BatchLike).status, 'completed');
      assert.equal((await teamA.get(`/v1/files/${file.id}`)).status, 200, 'the file B tried to delete is still there');
      assert.equal((await teamA.get(`/v1/files/${file.id}/content`)).status, 200);
      assert.equal(receiver.received.filter((delivery) => delivery.body.includes(job.id)).length, deliveries);
      // B's list endpoints do not show A's objects either.
      for (const path of ['/v1/batches', '/v1/files']) {
        const listed = await teamB.get(path);
        assert.equal(listed.status, 200, listed.text);
        assert.ok(!listed.text.includes(batch.id) && !listed.text.includes(file.id), `${path} of B lists none of A's objects`);
      }
    });

    it('answers a non-admin key the same 403 on /admin/keys/:name whether the name exists or not', async () => {
      const existing = await teamB.get('/admin/keys/team-a');
      const missing = await teamB.get('/admin/keys/no-such-key');
      assert.equal(existing.status, 403, existing.text);
      assertErrorShape(existing.body, 'existing key name');
      assert.deepEqual(existing.body, missing.body, 'the refusal does not depend on the name');
      assert.equal((await teamB.delete('/admin/keys/team-a')).status, 403);
      assert.equal((await teamA.get('/v1/models')).status, 200, 'team-a still works');
    });
  });

  describe('keys and admin scope', () => {
    it('refuses a key that differs from a real one only in its first or its last character', async () => {
      for (const near of [`X${TEAM_A_KEY.slice(1)}`, `${TEAM_A_KEY.slice(0, -1)}X`, TEAM_A_KEY.slice(0, -1), `${TEAM_A_KEY}0`]) {
        const response = await recorded(api(gateway.baseUrl, near)).get('/v1/models');
        assert.equal(response.status, 401, `${near}: ${response.text}`);
        assertErrorShape(response.body, 'near miss');
        assert.equal(response.body.error.type, 'authentication_error');
      }
    });

    it('ApiKeys finds the holder of the exact key only, for config and run-time keys alike', async () => {
      // Unrecorded: the creation answer is the one place a run-time key and its secret are shown, by design.
      const created = await api(gateway.baseUrl, ADMIN_KEY).post('/admin/keys', { name: 'runtime-sec' });
      assert.equal(created.status, 201, created.text);
      const { key: runtimeKey, webhook_secret: runtimeSecret } = created.body as { key: string; webhook_secret: string };
      runtimeKeys.push(runtimeKey);
      runtimeWebhookSecrets.push(runtimeSecret);
      const loaded = loadConfig({ SWITCHYARD_CONFIG: await writeConfig(config(mock, receiver)), REDIS_URL: redis.url, UPSTREAM_KEY, TEAM_B_KEY });
      const connections = new RedisConnections(loaded);
      try {
        const tenantKeys = new TenantKeys(loaded);
        const keys = new ApiKeys(loaded, new RuntimeKeyStore(connections, tenantKeys), new RedisSubscriber(connections), tenantKeys, new WebhookSecretVault(loaded));
        await connections.commands.ping();
        for (const [key, name] of [[TEAM_A_KEY, 'team-a'], [runtimeKey, 'runtime-sec']] as const) {
          assert.equal((await keys.authenticate(key))?.name, name);
          for (const near of [`${key[0] === 'x' ? 'y' : 'x'}${key.slice(1)}`, `${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`]) {
            assert.equal(await keys.authenticate(near), null, `a near miss of ${name}'s key`);
          }
        }
      } finally {
        await connections.onApplicationShutdown();
      }
    });

    it('refuses Bull Board, /admin/keys and /metrics without an admin-scope key', async () => {
      for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/keys', '/admin/keys/team-a', '/metrics']) {
        const none = await anonymous.get(path);
        assert.equal(none.status, 401, `${path} without a key: ${none.text}`);
        assertErrorShape(none.body, path);
        const jobsScope = await teamA.get(path);
        assert.equal(jobsScope.status, 403, `${path} with a jobs key: ${jobsScope.text}`);
        assertErrorShape(jobsScope.body, path);
        assert.equal((await admin.get(path)).status, 200, `${path} with the admin key`);
      }
      const sneaky = await teamA.post('/admin/keys', { name: 'self-promoted', scopes: ['admin'] });
      assert.equal(sneaky.status, 403, sneaky.text);
    });
  });

  describe('nothing in a request picks the upstream or its credential (CVE-2024-6587)', () => {
    const bodyFields = (origin: string): Record<string, unknown> => ({
      api_base: `${origin}/v1`,
      base_url: `${origin}/v1`,
      api_key: EVIL_KEY,
      custom_llm_provider: 'openai',
      extra_headers: { authorization: `Bearer ${EVIL_KEY}` },
      extra_body: { api_base: `${origin}/v1` },
    });
    const headerFields = (origin: string): RequestHeaders => ({
      'api-key': EVIL_KEY,
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `${origin}/v1`,
      'x-portkey-api-key': EVIL_KEY,
      'x-portkey-config': JSON.stringify({ provider: 'openai', api_key: EVIL_KEY, custom_host: `${origin}/v1` }),
      'x-upstream-authorization': `Bearer ${EVIL_KEY}`,
      'x-api-base': `${origin}/v1`,
      'x-base-url': `${origin}/v1`,
      'openai-organization': 'org-evil',
    });

    /** Every upstream call since the last clear went to the configured mock with the configured key and nothing of the client's. */
    async function assertUpstreamUnchanged(context: string, expectedCalls: number): Promise<void> {
      const records = await wire();
      assert.equal(records.length, expectedCalls, `${context}: upstream calls ${JSON.stringify(records.map((r) => r.path))}`);
      for (const record of records) {
        assert.equal(record.headers.authorization, `Bearer ${UPSTREAM_KEY}`, `${context}: the configured key`);
        const text = JSON.stringify(record);
        for (const planted of [EVIL_KEY, evilOrigin, 'org-evil', 'custom_llm_provider', 'extra_headers', 'extra_body', 'api_base', 'x-portkey', 'x-upstream-authorization']) {
          assert.ok(!text.includes(planted), `${context}: ${planted} reached the upstream call: ${text}`);
        }
      }
      assert.equal(evil.received.length, 0, `${context}: the client-chosen host was called`);
    }

    /** /v1/messages answers in Anthropic's error shape, the rest in OpenAI's. */
    function assertRefusal(path: string, response: ApiResponse, context: string): void {
      if (path !== '/v1/messages') return assertErrorShape(response.body, context);
      const body = response.body as { type?: string; error?: { type?: unknown; message?: unknown } };
      assert.equal(body.type, 'error', `${context}: ${response.text}`);
      assert.equal(typeof body.error?.type, 'string', context);
      assert.equal(typeof body.error?.message, 'string', context);
    }

    const endpoints: Array<{ path: string; body: (model: string) => Record<string, unknown>; model: string; accepted: number }> = [
      { path: '/v1/jobs', body: (model) => chat(model, 'route me'), model: 'gpt-mock', accepted: 202 },
      { path: '/v1/chat/completions', body: (model) => chat(model, 'route me'), model: 'gpt-mock', accepted: 200 },
      { path: '/v1/embeddings', body: (model) => ({ model, input: 'route me' }), model: 'embed-mock', accepted: 200 },
      { path: '/v1/messages', body: (model) => ({ model, max_tokens: 16, messages: [{ role: 'user', content: 'route me' }] }), model: 'gpt-mock', accepted: 200 },
    ];

    for (const endpoint of endpoints) {
      it(`${endpoint.path}: refuses upstream fields in the body and URL models, ignores upstream headers`, async () => {
        for (const [field, value] of Object.entries(bodyFields(evilOrigin))) {
          await clearWire();
          const response = await teamA.post(endpoint.path, { ...endpoint.body(endpoint.model), [field]: value });
          assert.equal(response.status, 400, `${endpoint.path} with ${field}: ${response.text}`);
          assertRefusal(endpoint.path, response, `${endpoint.path} ${field}`);
          assert.ok(response.text.includes(field), `${endpoint.path}: the error names ${field}: ${response.text}`);
          await assertUpstreamUnchanged(`${endpoint.path} body ${field}`, 0);
        }
        for (const model of [`${evilOrigin}/model`, `openai/${evilOrigin}/v1`, `upstream/${evilOrigin}`, `${evilOrigin}/v1#gpt-mock`]) {
          await clearWire();
          const response = await teamA.post(endpoint.path, endpoint.body(model));
          assert.ok(response.status >= 400 && response.status < 500, `${endpoint.path} model ${model}: ${response.status} ${response.text}`);
          assertRefusal(endpoint.path, response, `${endpoint.path} model ${model}`);
          await assertUpstreamUnchanged(`${endpoint.path} model ${model}`, 0);
        }
        await clearWire();
        const response = await teamA.post(endpoint.path, endpoint.body(endpoint.model), headerFields(evilOrigin));
        assert.equal(response.status, endpoint.accepted, `${endpoint.path} with upstream headers: ${response.text}`);
        if (endpoint.accepted === 202) assert.equal((await settledJob(teamA, (response.body as JobLike).id)).status, 'succeeded');
        await assertUpstreamUnchanged(`${endpoint.path} headers`, 1);
      });
    }

    it('batch lines: upstream fields and URLs in a line never reach a provider call', async () => {
      await clearWire();
      const fields = bodyFields(evilOrigin);
      const lines = [
        ...Object.entries(fields).map(([field, value]) => ({ custom_id: `body-${field}`, method: 'POST', url: '/v1/chat/completions', body: { ...chat('gpt-mock', 'line'), [field]: value } })),
        { custom_id: 'line-api-base', method: 'POST', url: '/v1/chat/completions', body: chat('gpt-mock', 'line'), api_base: `${evilOrigin}/v1` },
        { custom_id: 'url-evil', method: 'POST', url: `${evilOrigin}/v1/chat/completions`, body: chat('gpt-mock', 'line') },
        { custom_id: 'model-url', method: 'POST', url: '/v1/chat/completions', body: chat(`openai/${evilOrigin}/v1`, 'line') },
        { custom_id: 'clean', method: 'POST', url: '/v1/chat/completions', body: chat('gpt-mock', 'clean line') },
      ];
      const file = await upload(teamA, lines);
      const created = await teamA.post('/v1/batches', { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      assert.equal(created.status, 200, created.text);
      // A batch with an invalid line fails validation as a whole (OpenAI's rule), naming each bad line.
      const refused = await settledBatch((created.body as BatchLike).id);
      assert.equal(refused.status, 'failed', JSON.stringify(refused));
      const errors = (refused as BatchLike & { errors: { data: Array<{ line: number }> } }).errors.data;
      assert.deepEqual(errors.map((error) => error.line), lines.slice(0, -1).map((_, index) => index + 1), JSON.stringify(errors));
      await assertUpstreamUnchanged('batch with planted lines', 0);
      // The same clean line on its own reaches the configured upstream, as configured.
      const clean = await upload(teamA, lines.slice(-1));
      const accepted = await teamA.post('/v1/batches', { input_file_id: clean.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      assert.equal(accepted.status, 200, accepted.text);
      assert.equal((await settledBatch((accepted.body as BatchLike).id)).status, 'completed');
      await assertUpstreamUnchanged('clean batch line', 1);
    });
  });

  describe('request size and rate limits', () => {
    it(`answers a body over body_limit_bytes (${BODY_LIMIT}) with 413 in the error shape`, async () => {
      for (const path of ['/v1/jobs', '/v1/chat/completions']) {
        const response = await teamA.post(path, chat('mock-echo', 'x'.repeat(BODY_LIMIT + 1)));
        assert.equal(response.status, 413, `${path}: ${response.text}`);
        assertErrorShape(response.body, path);
      }
    });

    it('answers a key over its rpm with 429 and a retry-after', async () => {
      const limited = recorded(api(gateway.baseUrl, LIMITED_KEY));
      const statuses: number[] = [];
      let refused: ApiResponse | undefined;
      for (let i = 0; i < 5 && refused === undefined; i++) {
        const response = await limited.post('/v1/jobs', chat('mock-echo', `rpm ${i}`));
        statuses.push(response.status);
        if (response.status === 429) refused = response;
      }
      assert.deepEqual(statuses, [202, 202, 202, 429]);
      assert.ok(refused);
      assertErrorShape(refused.body, 'rpm');
      assert.equal(refused.body.error.code, 'rate_limit_exceeded');
      const retryAfter = Number(refused.headers['retry-after']);
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `retry-after ${String(refused.headers['retry-after'])}`);
    });
  });

  describe('credentials never leave the gateway', () => {
    function secrets(): Array<[name: string, value: string]> {
      return [
        ['provider key', UPSTREAM_KEY],
        ['team-a key', TEAM_A_KEY],
        ['team-b key', TEAM_B_KEY],
        ['admin key', ADMIN_KEY],
        ['limited key', LIMITED_KEY],
        ['team-a webhook secret', SECRET_A],
        ['team-a webhook secret (base64)', SECRET_A.slice('whsec_'.length)],
        ['team-b webhook secret', SECRET_B],
        ['team-b webhook secret (base64)', SECRET_B.slice('whsec_'.length)],
        ...runtimeKeys.map((value): [string, string] => ['run-time key', value]),
      ];
    }

    it('are in no response body or header of the whole run, nor in any webhook delivery', () => {
      assert.ok(seen.length >= 100, `only ${seen.length} responses recorded: did the other tests run?`);
      assert.equal(runtimeKeys.length, 1, 'the run-time key test ran');
      const leaks: string[] = [];
      for (const response of seen) {
        const text = `${JSON.stringify(response.headers)}\n${response.text}`;
        for (const [name, value] of [...secrets(), ...runtimeWebhookSecrets.map((secret): [string, string] => ['run-time webhook secret', secret])]) {
          if (text.includes(value)) leaks.push(`${name} in a ${response.status} response`);
        }
      }
      for (const delivery of receiver.received) {
        for (const [name, value] of secrets()) if (`${JSON.stringify(delivery.headers)}${delivery.body}`.includes(value)) leaks.push(`${name} in a webhook delivery`);
      }
      assert.deepEqual(leaks, []);
    });

    it("are in no log line of this suite's gateway, worker and mock provider, run-time ones included", () => {
      // test/last/credential-scan reads every log for the secrets written in the tests; a run-time key and its secret exist only here.
      const logs = [...gateway.processes, mock.process].map((proc) => readFileSync(proc.logFile, 'utf8'));
      assert.ok(logs.every((log) => log.length > 0), 'every process logged');
      const all = [...secrets(), ...runtimeWebhookSecrets.map((secret): [string, string] => ['run-time webhook secret', secret])];
      assert.deepEqual(all.filter(([, value]) => logs.some((log) => log.includes(value))).map(([name]) => name), []);
    });

    it('are in no Redis key or value after the run (a full SCAN of every type)', async () => {
      const entries = await readAllRedis(redis.client());
      assert.ok(entries.length >= 20, `only ${entries.length} keys in Redis`);
      assert.ok(entries.some((entry) => entry.type === 'hash') && entries.some((entry) => entry.type === 'zset'));
      const leaks: string[] = [];
      for (const entry of entries) {
        const text = `${entry.key}\n${entry.values.join('\n')}`;
        for (const [name, value] of secrets()) if (text.includes(value)) leaks.push(`${name} in ${entry.type} ${entry.key}`);
      }
      assert.deepEqual(leaks, []);
    });

    it('keeps run-time webhook secrets out of Redis in plain text: sealed with auth.secrets_key, and only that key opens them', async () => {
      assert.equal(runtimeWebhookSecrets.length, 1, 'the run-time key test ran');
      const [secret] = runtimeWebhookSecrets;
      const entries = await readAllRedis(redis.client());
      const holders = entries.filter((entry) => [secret, secret.slice('whsec_'.length)].some((value) => `${entry.key}\n${entry.values.join('\n')}`.includes(value)));
      assert.deepEqual(holders.map((entry) => entry.key), []);
      const stored = JSON.parse((await redis.client().hget('sy:api-keys', 'runtime-sec')) ?? '{}') as { webhook?: { secret?: string } };
      assert.match(stored.webhook?.secret ?? '', /^v1:[\w-]{16}:[\w-]{22}:[\w-]+$/, 'v1:<iv>:<tag>:<ciphertext>, base64url');
      // The gateway's own directory opens it to sign; with another secrets key it opens nothing.
      for (const [secretsKey, expected] of [[SECRETS_KEY, [secret]], [Buffer.alloc(32, 14).toString('base64'), []]] as const) {
        const loaded = loadConfig({ SWITCHYARD_CONFIG: await writeConfig(config(mock, receiver)), REDIS_URL: redis.url, UPSTREAM_KEY, TEAM_B_KEY, SWITCHYARD_SECRETS_KEY: secretsKey });
        const connections = new RedisConnections(loaded);
        try {
          const tenantKeys = new TenantKeys(loaded);
          const keys = new ApiKeys(loaded, new RuntimeKeyStore(connections, tenantKeys), new RedisSubscriber(connections), tenantKeys, new WebhookSecretVault(loaded));
          assert.deepEqual((await keys.find('runtime-sec'))?.webhook.secrets.map((entry) => entry.secret), expected);
        } finally {
          await connections.onApplicationShutdown();
        }
      }
    });
  });

  describe('dependencies', () => {
    const manifest = readPackageJson(join(repoRoot, 'package.json'));

    it('installs from the lockfile: package-lock.json lists every dependency of package.json', () => {
      const lockPath = join(repoRoot, 'package-lock.json');
      assert.ok(existsSync(lockPath), 'package-lock.json exists (.ci/run uses npm ci)');
      const lock = readPackageJson(lockPath) as { lockfileVersion?: number; packages?: Record<string, { version?: string } & Partial<Record<'dependencies' | 'devDependencies', Record<string, string>>>> };
      assert.ok((lock.lockfileVersion ?? 0) >= 2, 'a lockfile with the packages map');
      const root = lock.packages?.[''];
      assert.deepEqual(root?.dependencies ?? {}, manifest.dependencies ?? {}, 'dependencies match package.json');
      assert.deepEqual(root?.devDependencies ?? {}, manifest.devDependencies ?? {}, 'devDependencies match package.json');
      for (const name of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })) {
        assert.ok(lock.packages?.[`node_modules/${name}`]?.version, `${name} is pinned in the lockfile`);
      }
    });

    it('runs no install script the project did not approve (package.json allowScripts)', () => {
      const policy = manifest.allowScripts ?? {};
      const unreviewed = installScripts(repoRoot).filter((pkg) => typeof policy[pkg.name] !== 'boolean');
      assert.deepEqual(
        unreviewed.map((pkg) => `${pkg.name}@${pkg.version} (${pkg.hooks.join(', ')})`),
        [],
        'each package with an install hook is allowed (true) or denied (false) in allowScripts',
      );
    });

    it('npm audit --omit=dev shows no high or critical advisory (when the audit endpoint answers)', async (t) => {
      const { stdout } = await promisify(execFile)('npm', ['audit', '--omit=dev', '--json'], { cwd: repoRoot, timeout: 60_000 }).catch(
        (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
      );
      const report = JSON.parse(stdout || '{}') as { metadata?: { vulnerabilities?: Record<string, number> }; message?: string };
      const counts = report.metadata?.vulnerabilities;
      if (counts === undefined) {
        t.skip(`audit endpoint unavailable: ${report.message ?? 'no report'}`);
        return;
      }
      assert.equal((counts.high ?? 0) + (counts.critical ?? 0), 0, `npm audit: ${JSON.stringify(counts)}`);
    });
  });
});
