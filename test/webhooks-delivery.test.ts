import 'reflect-metadata';
import { PrivateRedis, freePort, waitFor, writeConfig } from './support';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BullModule } from '@nestjs/bullmq';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, loadConfig, type SwitchyardConfig } from '@switchyard/config';
import { RedisModule, redisOptionsFromUrl } from '@switchyard/redis';
import {
  DeliveryLog,
  ListDeliveries,
  Redeliver,
  WEBHOOK_QUEUE,
  WebhookQueue,
  WebhookWorkerModule,
  WebhooksModule,
  type DeliveryAttempt,
  type WebhookEvent,
} from '@switchyard/webhooks';
import { Queue } from 'bullmq';
import { Webhook } from 'standardwebhooks';
import { TelemetryModule } from '@switchyard/telemetry';

function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

const CURRENT = newSecret();
const PREVIOUS = newSecret();
const BIG_BODY_BYTES = 64 * 1024 * 1024;
const TIMEOUT_MS = 500;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  answered: number | 'hung';
}

/** A webhook receiver whose behaviour depends on the path; it records every request. */
class Receiver {
  readonly received: Received[] = [];
  /** Bytes of the big body written before the client hung up. */
  bigBodyWritten: number | undefined;
  private readonly seen = new Map<string, number>();
  private server: Server;

  constructor() {
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  on(path: string): Received[] {
    return this.received.filter((request) => request.path === path);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = request.url ?? '/';
    const nth = (this.seen.get(path) ?? 0) + 1;
    this.seen.set(path, nth);
    const record = (answered: number | 'hung') => this.received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), answered });

    if (path.startsWith('/flaky/') && nth <= 3) return this.answer(response, 503, record);
    if (path.startsWith('/slow-once/') && nth === 1) {
      record('hung');
      setTimeout(() => response.end('too late'), TIMEOUT_MS * 4).unref();
      return;
    }
    if (path === '/gone') return this.answer(response, 410, record);
    if (path === '/redirect') {
      response.setHeader('location', `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/landing`);
      return this.answer(response, 302, record);
    }
    if (path === '/big') {
      record(200);
      this.streamBigBody(response);
      return;
    }
    this.answer(response, 200, record);
  }

  private answer(response: ServerResponse, status: number, record: (answered: number) => void): void {
    record(status);
    response.statusCode = status;
    response.end(JSON.stringify({ ok: status < 300 }));
  }

  private streamBigBody(response: ServerResponse): void {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let written = 0;
    response.on('close', () => (this.bigBodyWritten = written));
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(BIG_BODY_BYTES) });
    const pump = (): void => {
      while (written < BIG_BODY_BYTES && !response.destroyed) {
        written += chunk.length;
        if (!response.write(chunk)) {
          response.once('drain', pump);
          return;
        }
      }
      response.end();
    };
    pump();
  }
}

function verified(request: Received, secret: string): unknown {
  return new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
}

describe('webhook delivery', () => {
  let redis: PrivateRedis;
  let config: SwitchyardConfig;
  let app: INestApplicationContext;
  let receiver: Receiver;
  let base: string;
  let webhooks: WebhookQueue;
  let deliveries: ListDeliveries;
  let queue: Queue;

  const event = (subject: string, path: string, owner = 'team-a'): WebhookEvent => ({
    type: 'job.succeeded',
    subject,
    owner,
    url: `${base}${path}`,
    payload: { id: subject, object: 'job', status: 'succeeded' },
  });

  const logOf = (subject: string, settled: (log: DeliveryAttempt[]) => boolean, message: string): Promise<DeliveryAttempt[]> =>
    waitFor(async () => {
      const log = await deliveries.execute(subject);
      return settled(log) && log;
    }, { timeoutMs: 10_000, message });

  before(async () => {
    redis = await PrivateRedis.start();
    receiver = new Receiver();
    base = `http://127.0.0.1:${await receiver.listen()}`;
    const yaml = `
auth:
  keys:
    - name: team-a
      key: team-a-key-0123456789
      webhook: { secret: "${CURRENT}", previous_secret: "${PREVIOUS}", previous_secret_until: "2099-01-01T00:00:00Z" }
    - name: team-b
      key: team-b-key-0123456789
      webhook: { secret: "${CURRENT}" }
providers:
  mock: { type: mock }
models:
  echo: { targets: [{ provider: mock, model: echo }] }
webhooks:
  retry_schedule_s: [0, 0.2, 0.2, 0.2, 0.2]
  allow_private: ["127.0.0.0/8"]
  timeout_ms: ${TIMEOUT_MS}
  concurrency: 10
`;
    config = loadConfig({ SWITCHYARD_CONFIG: await writeConfig(yaml), REDIS_URL: redis.url });

    @Module({})
    class WebhooksTestRoot {}
    app = await NestFactory.createApplicationContext(
      {
        module: WebhooksTestRoot,
        imports: [
          ConfigModule.forRoot(config),
          TelemetryModule.forRoot(config),
          RedisModule,
          BullModule.forRoot({ connection: redisOptionsFromUrl(config.redis.url), prefix: config.redis.prefix }),
          WebhooksModule,
          WebhookWorkerModule,
        ],
      },
      { logger: false },
    );
    await app.init();
    webhooks = app.get(WebhookQueue);
    deliveries = app.get(ListDeliveries);
    queue = new Queue(WEBHOOK_QUEUE, { connection: redisOptionsFromUrl(redis.url), prefix: config.redis.prefix });
  });

  after(async () => {
    await queue?.close();
    await app?.close();
    await receiver?.close();
    await redis?.stop();
  });

  it('delivers a signed Standard Webhooks request that verifies with the current and with the previous secret', async () => {
    await webhooks.enqueue(event('job_signed', '/ok/signed'));
    const [log] = await Promise.all([logOf('job_signed', (l) => l.length === 1, 'the delivery')]);
    const [request] = receiver.on('/ok/signed');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['user-agent'], 'Switchyard-Webhooks/1');
    assert.match(String(request.headers['webhook-id']), /^msg_[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(String(request.headers['webhook-signature']).split(' ').length, 2);
    const body = verified(request, CURRENT) as { type: string; timestamp: string; data: unknown };
    verified(request, PREVIOUS);
    assert.equal(body.type, 'job.succeeded');
    assert.ok(!Number.isNaN(Date.parse(body.timestamp)));
    assert.deepEqual(body.data, { id: 'job_signed', object: 'job', status: 'succeeded' });
    assert.deepEqual(
      { ...log[0], duration_ms: 0, delivered_at: '' },
      { id: request.headers['webhook-id'], event: 'job.succeeded', url: `${base}/ok/signed`, attempt: 1, status: 200, error: null, duration_ms: 0, delivered_at: '', outcome: 'succeeded' },
    );
  });

  it('signs with the current secret only when the key has no rotation going on', async () => {
    await webhooks.enqueue(event('job_single', '/ok/single', 'team-b'));
    await logOf('job_single', (l) => l.length === 1, 'the delivery');
    const [request] = receiver.on('/ok/single');
    assert.equal(String(request.headers['webhook-signature']).split(' ').length, 1);
    verified(request, CURRENT);
    assert.throws(() => verified(request, PREVIOUS));
  });

  it('retries a receiver answering 503 and one refusing connections by the schedule; each event arrives once, as a success', async () => {
    const latePort = await freePort();
    const late = new Receiver();
    try {
      await webhooks.enqueue(event('job_flaky', '/flaky/1'));
      await webhooks.enqueue({ ...event('job_refused', '/late'), url: `http://127.0.0.1:${latePort}/late` });
      // The receiver comes up after the third refused attempt; the fourth comes 200 ms later.
      await logOf('job_refused', (l) => l.length >= 3, 'three refused attempts');
      await late.listen(latePort);

      for (const subject of ['job_flaky', 'job_refused']) {
        const log = await logOf(subject, (l) => l.some((a) => a.outcome === 'succeeded'), `${subject} to succeed`);
        assert.deepEqual(log.map((a) => [a.attempt, a.outcome]), [[1, 'failed'], [2, 'failed'], [3, 'failed'], [4, 'succeeded']], JSON.stringify(log));
        assert.equal(new Set(log.map((a) => a.id)).size, 1, 'one webhook-id across retries');
      }
      const flakyLog = await deliveries.execute('job_flaky');
      assert.deepEqual(flakyLog.map((a) => a.status), [503, 503, 503, 200]);
      assert.deepEqual(flakyLog.slice(0, 3).map((a) => a.error), ['HTTP 503', 'HTTP 503', 'HTTP 503']);
      const refusedLog = await deliveries.execute('job_refused');
      assert.ok(refusedLog.slice(0, 3).every((a) => a.status === null && /ECONNREFUSED/.test(a.error ?? '')), JSON.stringify(refusedLog));

      const flakySuccesses = receiver.on('/flaky/1').filter((r) => r.answered === 200);
      assert.equal(flakySuccesses.length, 1);
      assert.equal(late.on('/late').length, 1);
      verified(flakySuccesses[0], CURRENT);
      verified(late.on('/late')[0], CURRENT);
      // Every attempt carried the same id, each with its own fresh timestamp.
      assert.equal(new Set(receiver.on('/flaky/1').map((r) => r.headers['webhook-id'])).size, 1);
    } finally {
      await late.close();
    }
  });

  it('stops retrying when the receiver answers 410 Gone', async () => {
    await webhooks.enqueue(event('job_gone', '/gone'));
    const log = await logOf('job_gone', (l) => l.length >= 1, 'the 410');
    assert.equal(log[0].outcome, 'gone');
    assert.equal(log[0].status, 410);
    await waitFor(async () => (await queue.getJobState('job_gone.job.succeeded.0')) === 'failed', { message: 'the entry to fail for good' });
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal((await deliveries.execute('job_gone')).length, 1);
    assert.equal(receiver.on('/gone').length, 1);
  });

  it('treats a redirect as a failure and never follows it', async () => {
    await webhooks.enqueue(event('job_redirect', '/redirect'));
    const log = await logOf('job_redirect', (l) => l.length === 5, 'every attempt to fail');
    assert.ok(log.every((a) => a.outcome === 'failed' && a.status === 302 && a.error === 'redirect (302) not followed'), JSON.stringify(log));
    assert.equal(receiver.on('/landing').length, 0);
    await waitFor(async () => (await queue.getJobState('job_redirect.job.succeeded.0')) === 'failed', { message: 'the entry to end failed' });
  });

  it('reads a huge response only up to the cap and counts the delivery as a success', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    await webhooks.enqueue(event('job_big', '/big'));
    const log = await logOf('job_big', (l) => l.length === 1, 'the delivery');
    assert.equal(log[0].outcome, 'succeeded');
    await waitFor(() => receiver.bigBodyWritten !== undefined, { message: 'the client to hang up' });
    assert.ok(receiver.bigBodyWritten! < BIG_BODY_BYTES / 2, `the receiver wrote ${receiver.bigBodyWritten} bytes: the client kept reading`);
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 16 * 1024 * 1024, 'the heap grew by more than 16 MiB');
  });

  it('counts a receiver slower than the timeout as a failure and retries', async () => {
    const started = Date.now();
    await webhooks.enqueue(event('job_slow', '/slow-once/1'));
    const log = await logOf('job_slow', (l) => l.some((a) => a.outcome === 'succeeded'), 'the retry to succeed');
    assert.deepEqual(log.map((a) => a.outcome), ['failed', 'succeeded']);
    assert.equal(log[0].status, null);
    assert.equal(log[0].error, `timed out after ${TIMEOUT_MS} ms`);
    assert.ok(log[0].duration_ms >= TIMEOUT_MS - 50 && log[0].duration_ms < TIMEOUT_MS * 3, `took ${log[0].duration_ms} ms`);
    assert.ok(Date.now() - started < 5_000);
  });

  it('delivers one event once however often it is enqueued, and a redelivery again with a new id', async () => {
    const once = event('job_once', '/ok/once');
    await Promise.all([webhooks.enqueue(once), webhooks.enqueue(once)]);
    await logOf('job_once', (l) => l.length === 1, 'the delivery');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await webhooks.enqueue(once);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.on('/ok/once').length, 1);

    const redeliveryId = await app.get(Redeliver).execute(once);
    const log = await logOf('job_once', (l) => l.length === 2, 'the redelivery');
    assert.equal(log[1].id, redeliveryId);
    assert.notEqual(log[0].id, log[1].id);
    assert.deepEqual(log.map((a) => [a.attempt, a.outcome]), [[1, 'succeeded'], [1, 'succeeded']]);
    const requests = receiver.on('/ok/once');
    assert.equal(requests.length, 2);
    assert.equal(requests[1].headers['webhook-id'], redeliveryId);
    verified(requests[1], CURRENT);
  });

  it('keeps the delivery log capped at the newest 100 attempts, oldest first, and expiring', async () => {
    const deliveryLog = app.get(DeliveryLog);
    for (let attempt = 1; attempt <= 105; attempt++) {
      await deliveryLog.append('job_many', { id: 'msg_many', event: 'job.failed', url: `${base}/x`, attempt, status: 500, error: 'HTTP 500', duration_ms: 1, delivered_at: new Date().toISOString(), outcome: 'failed' });
    }
    const many = await deliveries.execute('job_many');
    assert.equal(many.length, 100);
    assert.deepEqual([many[0].attempt, many[99].attempt], [6, 105]);

    const log = await deliveries.execute('job_redirect');
    assert.deepEqual(log.map((a) => a.attempt), [1, 2, 3, 4, 5]);
    const ttl = await redis.client().ttl(`${config.redis.prefix}:deliveries:job_redirect`);
    assert.ok(ttl > 0 && ttl <= config.webhooks.logTtlS, `ttl ${ttl}`);
    assert.deepEqual(await deliveries.execute('job_never'), []);
  });
});
