import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, PrivateRedis, startGateway, startMockProvider, stopAll, waitFor, WEBHOOK_RECEIVER_HOST, WebhookReceiver, type ApiClient, type Gateway, type MockProvider } from '../support';
import { chat, TEAM_A_KEY, UPSTREAM_KEY, type JobLike } from './fixtures';

const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const JOB_ID = /job_[0-9A-HJKMNP-TV-Z]{26}/;
/** Node's own warnings on stderr are the only lines allowed not to be JSON. */
const NODE_WARNING = /^\(node:\d+\) |^\(Use `node /;

type LogLine = Record<string, unknown> & { msg?: string; reqId?: string; jobId?: string; provider?: string; req?: Record<string, unknown> };

function config(down: MockProvider, ok: MockProvider): string {
  const upstream = (name: string, mock: MockProvider) => `
  ${name}:
    type: openai
    base_url: ${mock.baseUrl}/v1
    api_key: \${UPSTREAM_KEY}
    retries: 0`;
  return `
server: { host: 127.0.0.1 }
auth:
  keys:
    - name: team-a
      key: ${TEAM_A_KEY}
      webhook: { secret: ${WEBHOOK_SECRET} }
providers:${upstream('prov-down', down)}${upstream('prov-ok', ok)}
models:
  ok:
    targets: [{ provider: prov-ok, model: gpt-4o-mini }]
  down-then-ok:
    targets: [{ provider: prov-down, model: gpt-4o-mini }, { provider: prov-ok, model: gpt-4o-mini }]
webhooks:
  allow_private: [${WEBHOOK_RECEIVER_HOST}/32]
retention: { succeeded_s: 600, failed_s: 600 }
`;
}

describe('structured logs with request and job ids, credentials redacted', () => {
  let redis: PrivateRedis;
  let gateway: Gateway;
  let client: ApiClient;
  let receiver: WebhookReceiver;
  const lines: LogLine[] = [];
  const rawText: string[] = [];
  let jobIds: string[] = [];

  before(async () => {
    redis = await PrivateRedis.start();
    const [down, ok] = await Promise.all([startMockProvider({ MOCK_ERROR_RATE: '1', MOCK_ERROR_STATUS: '503' }), startMockProvider()]);
    receiver = await WebhookReceiver.start();
    gateway = await startGateway({ redis, config: config(down, ok), apps: ['api', 'worker'], env: { LOG_LEVEL: 'debug', UPSTREAM_KEY } });
    client = api(gateway.baseUrl, TEAM_A_KEY);

    const bodies = [chat('ok', 'plain'), chat('down-then-ok', 'falls back'), { ...chat('ok', 'with a webhook'), webhook: { url: receiver.url } }];
    jobIds = await Promise.all(
      bodies.map(async (body) => {
        const response = await client.post('/v1/jobs', body);
        assert.equal(response.status, 202, response.text);
        return (response.body as JobLike).id;
      }),
    );
    for (const id of jobIds) assert.equal(((await client.get(`/v1/jobs/${id}?wait=30`)).body as JobLike).status, 'succeeded');
    await waitFor(() => receiver.received.length > 0, { timeoutMs: 15_000 });
    const withBoth = await client.raw('GET', '/v1/models', { headers: { authorization: `Bearer ${TEAM_A_KEY}`, 'x-api-key': TEAM_A_KEY } });
    assert.equal(withBoth.status, 200);
    await gateway.stop();
    for (const text of gateway.processes.flatMap((process) => process.lines)) {
      if (NODE_WARNING.test(text)) continue;
      rawText.push(text);
      lines.push(JSON.parse(text) as LogLine);
    }
  });

  after(async () => {
    await receiver?.stop();
    await stopAll();
    await redis?.stop();
  });

  it('writes every line as JSON', () => {
    assert.ok(lines.length > 20, `expected debug output, got ${lines.length} lines`);
  });

  it('gives every request line its request id, and lines logged inside a request carry it too', () => {
    const completed = lines.filter((line) => line.req !== undefined);
    assert.ok(completed.length >= jobIds.length * 2, 'a completion line per request');
    for (const line of completed) assert.ok(line.req?.id, `request line without an id: ${JSON.stringify(line)}`);
    const queued = lines.filter((line) => line.msg === 'job queued');
    assert.equal(queued.length, jobIds.length);
    const requestIds = new Set(completed.map((line) => line.req?.id));
    for (const line of queued) {
      assert.ok(line.reqId && requestIds.has(line.reqId), `logged inside a request without its id: ${JSON.stringify(line)}`);
      assert.ok(jobIds.includes(String(line.jobId)));
    }
  });

  it('gives every worker line about a job its jobId and provider, without call sites passing them', () => {
    const calls = lines.filter((line) => line.msg === 'calling the provider');
    // One call per job, and the fallback job calls prov-down first.
    assert.ok(calls.length >= jobIds.length + 1, `${calls.length} provider calls logged`);
    for (const line of calls) {
      assert.ok(jobIds.includes(String(line.jobId)), `no jobId: ${JSON.stringify(line)}`);
      assert.match(String(line.provider), /^prov-(down|ok)$/);
    }
    assert.ok(calls.some((line) => line.jobId === jobIds[1] && line.provider === 'prov-down'));
    assert.ok(lines.some((line) => line.jobId === jobIds[1] && line.msg === 'job attempt failed on prov-down'));
    const deliveries = lines.filter((line) => line.msg === 'webhook delivery attempt');
    assert.ok(deliveries.length > 0 && deliveries.every((line) => line.jobId === jobIds[2]), `webhook lines: ${JSON.stringify(deliveries)}`);
    // Any line outside a request that names a job is in that job's context.
    for (const line of lines.filter((entry) => !entry.req && !entry.reqId)) {
      const named = JOB_ID.exec(String(line.msg ?? ''));
      if (named) assert.equal(line.jobId, named[0], `job line without its jobId: ${JSON.stringify(line)}`);
    }
  });

  it('never writes a configured credential', () => {
    const secrets = [UPSTREAM_KEY, TEAM_A_KEY, WEBHOOK_SECRET, WEBHOOK_SECRET.slice('whsec_'.length)];
    for (const [index, text] of rawText.entries()) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `line ${index} holds a credential: ${text.slice(0, 300)}`);
    }
  });

  it('logs a request as its id, method, URL and user agent, never its other headers', () => {
    const requestLines = lines.filter((entry) => entry.req?.url === '/v1/models');
    assert.ok(requestLines.length > 0, 'the request with both credential headers was logged');
    for (const line of requestLines) {
      assert.equal(line.req?.method, 'GET');
      assert.equal(typeof line.req?.id, 'string');
      for (const key of Object.keys(line.req ?? {})) assert.ok(['id', 'method', 'url', 'userAgent'].includes(key), `the request line has ${key}`);
    }
  });
});
