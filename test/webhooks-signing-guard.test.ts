import 'reflect-metadata';
import { writeConfig } from './support';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadConfig, type SwitchyardConfig } from '@switchyard/config';
import { InvalidRequestError } from '@switchyard/contracts';
import type { ApiKeys } from '@switchyard/tenants';
import { HostResolver, WebhookSender, WebhookSigner, WebhookUrlGuard, type WebhookJobData } from '@switchyard/webhooks';
import { Webhook } from 'standardwebhooks';

/** The key directory as the sender reads it for config keys, which it answers without Redis. */
function configKeys(config: SwitchyardConfig): ApiKeys {
  const byName = new Map(config.auth.keys.map((key) => [key.name, { ...key, source: 'config' as const }]));
  return { find: async (name: string) => byName.get(name) } as unknown as ApiKeys;
}

function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

const CURRENT = newSecret();
const PREVIOUS = newSecret();

/** Answers from a table; a name may answer differently on each lookup (DNS rebinding). */
class TableResolver extends HostResolver {
  readonly calls: string[] = [];
  constructor(private readonly table: Record<string, string[][]>) {
    super();
  }
  override async resolve(hostname: string): Promise<LookupAddress[]> {
    this.calls.push(hostname);
    const answers = this.table[hostname];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const answer = answers.length > 1 ? answers.shift()! : answers[0];
    return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  }
}

async function configWith(allowPrivate: string[]): Promise<SwitchyardConfig> {
  const yaml = `
auth:
  keys:
    - name: team-a
      key: team-a-key-0123456789
      webhook: { secret: "${CURRENT}" }
providers:
  mock: { type: mock }
models:
  echo: { targets: [{ provider: mock, model: echo }] }
webhooks:
  allow_private: ${JSON.stringify(allowPrivate)}
  timeout_ms: 2000
`;
  return loadConfig({ SWITCHYARD_CONFIG: await writeConfig(yaml) });
}

async function refusal(promise: Promise<unknown>): Promise<InvalidRequestError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof InvalidRequestError, `expected an InvalidRequestError, got ${String(error)}`);
    return error;
  }
  assert.fail('the URL was accepted');
}

describe('WebhookSigner', () => {
  const signer = new WebhookSigner();
  const body = JSON.stringify({ type: 'job.succeeded', timestamp: new Date().toISOString(), data: { id: 'job_1', emoji: 'naïve ✓' } });

  it('signs so the standardwebhooks library verifies it', () => {
    const headers = signer.sign('msg_1', Math.floor(Date.now() / 1000), body, [{ secret: CURRENT }]);
    assert.equal(headers['webhook-id'], 'msg_1');
    assert.match(headers['webhook-signature'], /^v1,[A-Za-z0-9+/]+=*$/);
    assert.deepEqual(new Webhook(CURRENT).verify(body, { ...headers }), JSON.parse(body));
  });

  it('sends one signature per secret during a rotation, each verifying on its own', () => {
    const headers = signer.sign('msg_2', Math.floor(Date.now() / 1000), body, [{ secret: CURRENT }, { secret: PREVIOUS, untilMs: Date.now() + 60_000 }]);
    assert.equal(headers['webhook-signature'].split(' ').length, 2);
    new Webhook(CURRENT).verify(body, { ...headers });
    new Webhook(PREVIOUS).verify(body, { ...headers });
    assert.throws(() => new Webhook(newSecret()).verify(body, { ...headers }));
  });

  it('drops a previous secret once its rotation ended', () => {
    const headers = signer.sign('msg_3', Math.floor(Date.now() / 1000), body, [{ secret: CURRENT }, { secret: PREVIOUS, untilMs: Date.now() - 1 }]);
    assert.equal(headers['webhook-signature'].split(' ').length, 1);
    assert.throws(() => new Webhook(PREVIOUS).verify(body, { ...headers }));
  });

  it('refuses a tampered body', () => {
    const headers = signer.sign('msg_4', Math.floor(Date.now() / 1000), body, [{ secret: CURRENT }]);
    assert.throws(() => new Webhook(CURRENT).verify(body.replace('job_1', 'job_2'), { ...headers }));
  });
});

describe('WebhookUrlGuard at submit', () => {
  let guard: WebhookUrlGuard;
  let resolver: TableResolver;

  before(async () => {
    resolver = new TableResolver({
      'rebind.example': [['127.0.0.1']],
      'mixed.example': [['93.184.216.34', '10.0.0.5']],
      'public.example': [['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']],
    });
    guard = new WebhookUrlGuard(await configWith([]), resolver);
  });

  const refused: Array<[string, RegExp]> = [
    ['http://127.0.0.1/hook', /loopback/],
    ['http://10.0.0.1/hook', /private/],
    ['http://172.20.1.1/hook', /private/],
    ['http://192.168.1.10/hook', /private/],
    ['http://100.64.0.1/hook', /carrier-grade NAT/],
    ['http://169.254.169.254/latest/meta-data/', /metadata/],
    ['http://169.254.10.10/', /link-local/],
    ['http://[::1]/hook', /loopback/],
    ['http://[fe80::1]/hook', /link-local/],
    ['http://[fc00::1]/hook', /unique local/],
    ['http://[fd00:ec2::254]/', /metadata/],
    ['http://[::ffff:127.0.0.1]/hook', /loopback/],
    ['http://[::ffff:10.1.2.3]/hook', /private/],
    ['http://0.0.0.0/hook', /unspecified/],
    ['http://255.255.255.255/hook', /broadcast/],
    ['http://224.0.0.1/hook', /multicast/],
    ['http://240.0.0.1/hook', /reserved/],
    ['http://2130706433/hook', /loopback/],
    ['http://0x7f.1/hook', /loopback/],
    ['http://metadata.google.internal/computeMetadata/v1/', /metadata/],
    ['http://rebind.example/hook', /rebind\.example' resolves to 127\.0\.0\.1, a loopback address/],
    ['http://mixed.example/hook', /resolves to 10\.0\.0\.5, a private address/],
    ['http://unknown.example/hook', /does not resolve/],
    ['ftp://93.184.216.34/hook', /http or https, not ftp/],
    ['http://user:pass@93.184.216.34/hook', /credentials/],
    ['not a url', /not a valid absolute URL/],
  ];
  for (const [url, reason] of refused) {
    it(`refuses ${url} with a 400 invalid_webhook_url naming why`, async () => {
      const error = await refusal(guard.checkAtSubmit(url));
      assert.equal(error.status, 400);
      assert.deepEqual({ ...error.toBody(), message: undefined }, { message: undefined, type: 'invalid_request_error', code: 'invalid_webhook_url', param: 'webhook.url' });
      assert.match(error.message, reason);
    });
  }

  it('refuses http://localhost through the real resolver', async () => {
    const real = new WebhookUrlGuard(await configWith([]), new HostResolver());
    const error = await refusal(real.checkAtSubmit('http://localhost:8080/hook'));
    assert.match(error.message, /loopback/);
  });

  it('accepts a public literal IP without any lookup, and a name whose every address is public', async () => {
    await guard.checkAtSubmit('https://93.184.216.34/hook');
    await guard.checkAtSubmit('https://[2606:2800:220:1:248:1893:25c8:1946]/hook');
    assert.deepEqual(resolver.calls.filter((name) => name !== 'rebind.example' && name !== 'mixed.example' && name !== 'unknown.example'), []);
    await guard.checkAtSubmit('https://public.example/hook?x=1');
  });

  it('accepts what the operator allowlisted: a CIDR, and an exact hostname without resolving it', async () => {
    const table = new TableResolver({});
    const allowing = new WebhookUrlGuard(await configWith(['127.0.0.0/8', '10.1.0.0/16', 'hooks.internal']), table);
    await allowing.checkAtSubmit('http://127.0.0.1:9000/hook');
    await allowing.checkAtSubmit('http://[::ffff:127.0.0.1]:9000/hook');
    await allowing.checkAtSubmit('http://10.1.2.3/hook');
    await allowing.checkAtSubmit('http://hooks.internal/hook');
    assert.deepEqual(table.calls, []);
    await refusal(allowing.checkAtSubmit('http://10.2.0.1/hook'));
  });
});

describe('WebhookUrlGuard at connect', () => {
  let receiver: Server;
  let port: number;
  let hits = 0;
  const delivery = (url: string): WebhookJobData => ({
    msgId: 'msg_guard',
    type: 'job.succeeded',
    subject: 'job_guard',
    owner: 'team-a',
    url,
    payload: { id: 'job_guard' },
    occurredAt: new Date().toISOString(),
  });

  before(async () => {
    receiver = createServer((request, response) => {
      hits++;
      request.resume();
      response.end('ok');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('refuses to connect when the name resolves to a private address after passing the submit check (DNS rebinding)', async () => {
    const resolver = new TableResolver({ 'rebind.example': [['93.184.216.34'], ['127.0.0.1']] });
    const config = await configWith([]);
    const guard = new WebhookUrlGuard(config, resolver);
    await guard.checkAtSubmit(`http://rebind.example:${port}/hook`);
    const sender = new WebhookSender(config, new WebhookSigner(), guard, configKeys(config));
    try {
      const before = hits;
      const { entry, retryable } = await sender.send(delivery(`http://rebind.example:${port}/hook`), 1);
      assert.equal(entry.outcome, 'failed');
      assert.equal(entry.status, null);
      assert.match(entry.error ?? '', /refused to connect: host 'rebind\.example' resolves to 127\.0\.0\.1, a loopback address/);
      assert.equal(retryable, true);
      assert.equal(hits, before, 'the receiver was reached');
    } finally {
      await sender.onApplicationShutdown();
    }
  });

  it('connects to exactly the address the guard checked (an allowlisted name that only the guard can resolve)', async () => {
    const resolver = new TableResolver({ 'receiver.test': [['127.0.0.1']] });
    const config = await configWith(['receiver.test']);
    const sender = new WebhookSender(config, new WebhookSigner(), new WebhookUrlGuard(config, resolver), configKeys(config));
    try {
      const before = hits;
      const { entry } = await sender.send(delivery(`http://receiver.test:${port}/hook`), 1);
      assert.equal(entry.outcome, 'succeeded', entry.error ?? '');
      assert.equal(hits, before + 1);
      assert.ok(resolver.calls.includes('receiver.test'));
    } finally {
      await sender.onApplicationShutdown();
    }
  });

  it('refuses a private literal IP before connecting, for good (the URL cannot change)', async () => {
    const config = await configWith([]);
    const sender = new WebhookSender(config, new WebhookSigner(), new WebhookUrlGuard(config, new TableResolver({})), configKeys(config));
    try {
      const before = hits;
      const { entry, retryable } = await sender.send(delivery(`http://127.0.0.1:${port}/hook`), 1);
      assert.equal(entry.outcome, 'failed');
      assert.match(entry.error ?? '', /loopback/);
      assert.equal(retryable, false);
      assert.equal(hits, before);
    } finally {
      await sender.onApplicationShutdown();
    }
  });
});
