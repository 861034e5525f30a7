import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { api, PrivateRedis, startGateway, startMockProvider, stopAll, waitFor, WEBHOOK_RECEIVER_HOST, WebhookReceiver, type ApiClient, type Gateway, type MockProvider, type ReceivedWebhook } from '../support';
import { chat, TEAM_A_KEY, UPSTREAM_KEY, type JobLike } from './fixtures';

/** `CHAOS_PROFILE=long` (npm run chaos): more jobs per fault; CI runs a smaller copy. */
const LONG = process.env.CHAOS_PROFILE === 'long';
/** Jobs per faulty receiver. */
const JOBS_PER_FAULT = LONG ? 100 : 10;
/** Jobs per control half (no webhook; a healthy receiver) per wave: small, so a wave measures delay, not queueing. */
const CONTROL_JOBS = LONG ? 60 : 30;

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const TIMEOUT_MS = 2_000;
/** Short, so the suite sees the whole schedule: 8 attempts over 6.5 s. */
const RETRY_SCHEDULE_S = [0, 0.5, 1, 1, 1, 1, 1, 1];
/** The slow receiver answers its first two attempts this late: each one times out. */
const SLOW_REPLY_MS = TIMEOUT_MS * 3;
const SLOW_ATTEMPTS = 2;
const FAILING_ATTEMPTS = 2;
/** The down receiver stays down at least this long after the faulty jobs are submitted, and until each delivery was refused once. */
const DOWN_FOR_MS = 3_000;
/** Provider slots: few, so a webhook that held one would delay the jobs behind it. */
const PROVIDER_CONCURRENCY = 8;
/** Delivery slots per worker process: in CI fewer than the slow receiver's deliveries, which would hold them all uncapped. */
const WEBHOOK_SLOTS = LONG ? 50 : 8;
/** The slow receiver's share of them (webhooks.concurrency_per_receiver). */
const SLOTS_PER_RECEIVER = WEBHOOK_SLOTS / 2;
const METADATA_URL = 'http://169.254.169.254/latest/meta-data/iam/security-credentials/';

function config(mock: MockProvider): string {
  return `
server: { host: 127.0.0.1 }
auth:
  keys:
    - name: team-a
      key: ${TEAM_A_KEY}
      webhook: { secret: ${SECRET} }
providers:
  upstream:
    type: openai
    base_url: ${mock.baseUrl}/v1
    api_key: \${UPSTREAM_KEY}
    concurrency: ${PROVIDER_CONCURRENCY}
    retries: 0
models:
  m:
    targets: [{ provider: upstream, model: gpt-4o-mini }]
    cache: { mode: never }
webhooks:
  timeout_ms: ${TIMEOUT_MS}
  concurrency: ${WEBHOOK_SLOTS}
  concurrency_per_receiver: ${SLOTS_PER_RECEIVER}
  retry_schedule_s: [${RETRY_SCHEDULE_S.join(', ')}]
  allow_private: [${WEBHOOK_RECEIVER_HOST}/32]
retention: { succeeded_s: 3600, failed_s: 3600 }
`;
}

interface Attempt {
  id: string;
  attempt: number;
  status: number | null;
  error: string | null;
  delivered_at: string;
  outcome: string;
}

interface Timing {
  status: string;
  createdAt: number;
  finishedAt: number;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? 0;
}

const figures = (values: readonly number[]): string => `p50 ${percentile(values, 0.5)} ms, max ${Math.max(...values)} ms`;

/** The job id of an arrival, read from the body the gateway signed. */
const subjectOf = (arrival: ReceivedWebhook): string => (JSON.parse(arrival.body) as { data: JobLike }).data.id;

describe(`chaos: webhook receivers down, slow, failing and redirecting (${JOBS_PER_FAULT} jobs each)`, () => {
  let redis: PrivateRedis;
  let commands: Redis;
  let mock: MockProvider;
  let gateway: Gateway;
  let client: ApiClient;
  const receivers: WebhookReceiver[] = [];
  let healthy: WebhookReceiver;
  let down: WebhookReceiver;
  let slow: WebhookReceiver;
  let failing: WebhookReceiver;
  let redirecting: WebhookReceiver;
  /** Where the redirects point: one on plain loopback, one on the allowlisted address itself. */
  let loopbackDecoy: WebhookReceiver;
  let allowlistedDecoy: WebhookReceiver;
  /** Healthy receivers' delay after job end (ms), before and during the faults. */
  let webhookFigures: { baseline: number[]; during: number[] } | undefined;

  before(async () => {
    redis = await PrivateRedis.start();
    commands = new Redis(redis.url);
    mock = await startMockProvider({ MOCK_LATENCY_MS: '50', MOCK_API_KEY: UPSTREAM_KEY });
    const start = async (...args: Parameters<typeof WebhookReceiver.start>): Promise<WebhookReceiver> => {
      const receiver = await WebhookReceiver.start(...args);
      receivers.push(receiver);
      return receiver;
    };
    loopbackDecoy = await start(() => 200, { host: '127.0.0.1' });
    allowlistedDecoy = await start();
    healthy = await start();
    down = await start();
    slow = await start((_headers, attempt) => (attempt <= SLOW_ATTEMPTS ? { status: 200, delayMs: SLOW_REPLY_MS } : 200));
    failing = await start((_headers, attempt) => (attempt <= FAILING_ATTEMPTS ? 500 : 200));
    // Every attempt is sent somewhere else the gateway must never go.
    const targets = [`${loopbackDecoy.url}/steal`, METADATA_URL, `${allowlistedDecoy.url}/steal`];
    redirecting = await start((_headers, attempt) => ({ status: attempt % 2 === 0 ? 307 : 302, headers: { location: targets[attempt % targets.length] } }));
    gateway = await startGateway({ redis, config: config(mock), apps: ['api', 'worker'], env: { UPSTREAM_KEY } });
    client = api(gateway.baseUrl, TEAM_A_KEY);
  });

  after(async () => {
    commands?.disconnect();
    await stopAll();
    await Promise.all(receivers.map((receiver) => receiver.stop()));
    await redis?.stop();
  });

  const submit = async (count: number, label: string, receiver?: WebhookReceiver): Promise<string[]> =>
    Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const response = await client.post('/v1/jobs', chat('m', `${label} ${i}`, receiver ? { webhook: { url: receiver.url } } : {}));
        assert.equal(response.status, 202, response.text);
        return (response.body as JobLike).id;
      }),
    );

  /** Status and times (ms) straight from the job records, which the API rounds to seconds. */
  const timings = async (ids: readonly string[]): Promise<Timing[]> => {
    const pipeline = commands.pipeline();
    for (const id of ids) pipeline.hmget(`sy:job:${id}`, 'status', 'created_at', 'finished_at');
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, fields]) => {
      if (error) throw error;
      const [status, createdAt, finishedAt] = fields as Array<string | null>;
      return { status: status ?? 'missing', createdAt: Number(createdAt), finishedAt: Number(finishedAt ?? NaN) };
    });
  };
  const finished = async (ids: readonly string[]): Promise<Timing[] | undefined> => {
    const all = await timings(ids);
    return all.every((timing) => Number.isFinite(timing.finishedAt)) ? all : undefined;
  };
  const durations = (all: readonly Timing[]): number[] => all.map((timing) => timing.finishedAt - timing.createdAt);

  const deliveryLog = async (id: string): Promise<Attempt[]> => {
    const response = await client.get(`/v1/jobs/${id}/deliveries`);
    assert.equal(response.status, 200, response.text);
    return (response.body as { data: Attempt[] }).data;
  };

  /** How long after its job finished a healthy receiver heard of it. */
  const webhookLatencies = async (ids: readonly string[]): Promise<number[]> => {
    const finishedAt = new Map((await timings(ids)).map((timing, i) => [ids[i], timing.finishedAt]));
    return healthy.received.filter((arrival) => finishedAt.has(subjectOf(arrival))).map((arrival) => arrival.receivedAt - finishedAt.get(subjectOf(arrival))!);
  };

  /** Control jobs, half without a webhook and half to the healthy receiver: how long each took to finish, and to be told. */
  const runControls = async (label: string): Promise<{ ids: string[]; finish: number[]; webhooks: number[] }> => {
    const plain = await submit(CONTROL_JOBS, label);
    const hooked = await submit(CONTROL_JOBS, `${label} hooked`, healthy);
    const ids = [...plain, ...hooked];
    const finish = durations(await waitFor(() => finished(ids), { timeoutMs: 60_000, message: `the ${label} jobs` }));
    await waitFor(async () => (await webhookLatencies(hooked)).length >= hooked.length || undefined, { timeoutMs: 30_000, message: `the ${label} webhooks` });
    return { ids, finish, webhooks: await webhookLatencies(hooked) };
  };

  it('delivers at least once through every fault, follows no redirect, and slows no job', async () => {
    // Before any fault, once warm: how long a job and a healthy webhook take on this machine right now.
    const warmUp = await runControls('warm-up');
    const { ids: baselineIds, finish: baseline, webhooks: baselineWebhooks } = await runControls('baseline');

    await down.down();
    const faultsStartedAt = Date.now();
    const faulty = {
      down: await submit(JOBS_PER_FAULT, 'down', down),
      slow: await submit(JOBS_PER_FAULT, 'slow', slow),
      '500-then-200': await submit(JOBS_PER_FAULT, 'failing', failing),
      redirect: await submit(JOBS_PER_FAULT, 'redirect', redirecting),
    };
    // Back up once every delivery to it was refused at least once, and not before DOWN_FOR_MS.
    const upAgain = (async () => {
      await waitFor(async () => (await Promise.all(faulty.down.map(deliveryLog))).every((log) => log.length > 0), { timeoutMs: 30_000, intervalMs: 200, message: 'a refused attempt per delivery' });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, faultsStartedAt + DOWN_FOR_MS - Date.now())));
      await down.up();
      return Date.now();
    })();
    // Awaited below; until then a failure must not surface as an unhandled rejection.
    upAgain.catch(() => undefined);

    // The faulty jobs end first (their webhooks are queued, not awaited), so the control jobs below
    // meet the same empty provider queue as the baseline did, only with receivers misbehaving.
    const faultyFinish = durations(await waitFor(() => finished(Object.values(faulty).flat()), { timeoutMs: 60_000, message: 'the faulty-webhook jobs' }));
    // While the slow receiver holds deliveries open: plain jobs and healthy webhooks must not wait for it.
    const hangingSince = (at: number): number => slow.received.filter((arrival) => arrival.delayMs > 0 && arrival.receivedAt > at - TIMEOUT_MS + 500).length;
    await waitFor(() => hangingSince(Date.now()) > 0 || undefined, { timeoutMs: 30_000, intervalMs: 20, message: 'the slow receiver to hang' });
    const duringStartedAt = Date.now();
    const hanging = hangingSince(duringStartedAt);
    const { ids: duringIds, finish: during, webhooks: duringWebhooks } = await runControls('during');
    const upAt = await upAgain;

    // Every delivery ends: a success for the receivers that recover, the whole schedule for the redirects.
    const attempts = RETRY_SCHEDULE_S.length;
    const logs = new Map<string, Attempt[]>();
    const scheduleMs = RETRY_SCHEDULE_S.reduce((sum, s) => sum + s * 1000, 0);
    await waitFor(
      async () => {
        for (const [fault, ids] of Object.entries(faulty)) {
          for (const id of ids) {
            if (logs.has(id)) continue;
            const log = await deliveryLog(id);
            const done = fault === 'redirect' ? log.length >= attempts : log.some((entry) => entry.outcome === 'succeeded');
            if (!done) return false;
            logs.set(id, log);
          }
        }
        return true;
      },
      { timeoutMs: scheduleMs + 60_000, intervalMs: 250, message: 'every delivery to end' },
    );
    // Time for a redirect to be followed, or a stray retry to arrive, before the counts are taken.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const verifier = new Webhook(SECRET);
    const stats: string[] = [];
    for (const [fault, ids] of Object.entries(faulty)) {
      const receiver = { down, slow, '500-then-200': failing, redirect: redirecting }[fault]!;
      const mine = new Set(ids);
      for (const arrival of receiver.received) {
        const headers = Object.fromEntries(Object.entries(arrival.headers).map(([name, value]) => [name, String(value)]));
        assert.doesNotThrow(() => verifier.verify(arrival.body, headers), `${fault}: a valid Standard Webhooks signature`);
        assert.ok(mine.has(subjectOf(arrival)), `${fault}: an event of another receiver's job`);
      }
      // Accepted: answered 2xx, in time or not (a late answer still means the receiver took it).
      const accepted = receiver.received.filter((arrival) => arrival.status >= 200 && arrival.status < 300);
      const perMessage = new Map<string, number>();
      for (const arrival of accepted) perMessage.set(String(arrival.headers['webhook-id']), (perMessage.get(String(arrival.headers['webhook-id'])) ?? 0) + 1);
      const duplicates = [...perMessage.values()].reduce((sum, n) => sum + n - 1, 0);
      const receivedJobs = new Set(accepted.map(subjectOf));
      const attempted = ids.reduce((sum, id) => sum + logs.get(id)!.length, 0);
      const lost = ids.filter((id) => !receivedJobs.has(id)).length;
      stats.push(
        fault === 'redirect'
          ? `${fault}: ${ids.length} jobs, ${attempted} attempts, every one a 302/307 not followed`
          : `${fault}: ${ids.length} jobs, ${attempted} attempts, ${receivedJobs.size} received, ${duplicates} duplicates, ${lost} lost`,
      );

      for (const id of ids) {
        const log = logs.get(id)!;
        assert.equal(new Set(log.map((entry) => entry.id)).size, 1, `${fault} ${id}: one webhook-id across retries`);
        const gaps = log.slice(1).map((entry, i) => Date.parse(entry.delivered_at) - Date.parse(log[i].delivered_at));
        // Not sooner than the schedule says (BullMQ's delayed set may run a few ms early).
        gaps.forEach((gap, i) => assert.ok(gap >= RETRY_SCHEDULE_S[i + 1] * 1000 - 50, `${fault} ${id}: attempt ${i + 2} came ${gap} ms after the one before`));
        if (fault === 'redirect') {
          assert.equal(log.length, attempts, `${id}: one attempt per scheduled delay, then no more`);
          for (const entry of log) {
            assert.ok(entry.outcome === 'failed' && (entry.status === 302 || entry.status === 307), JSON.stringify(entry));
            assert.equal(entry.error, `redirect (${entry.status}) not followed`);
          }
        } else {
          assert.equal(log.at(-1)!.outcome, 'succeeded', `${fault} ${id}: ${JSON.stringify(log)}`);
          assert.ok(receivedJobs.has(id), `${fault} ${id}: never received`);
        }
      }
      if (fault === 'redirect') assert.equal(receivedJobs.size, 0, 'a redirecting receiver never accepts');
      if (fault === 'down') {
        for (const id of ids) {
          const log = logs.get(id)!;
          const refused = log.slice(0, -1);
          assert.ok(refused.length > 0, `${id}: delivered before the receiver came back`);
          assert.ok(refused.every((entry) => entry.status === null && /ECONNREFUSED/.test(entry.error ?? '')), JSON.stringify(refused));
          assert.ok(Date.parse(log.at(-1)!.delivered_at) >= upAt - 1_000, `${id}: the success predates the receiver coming back`);
        }
      }
      if (fault === 'slow') {
        for (const id of ids) {
          const timedOut = logs.get(id)!.slice(0, SLOW_ATTEMPTS);
          assert.ok(timedOut.every((entry) => entry.outcome === 'failed' && entry.error === `timed out after ${TIMEOUT_MS} ms`), JSON.stringify(timedOut));
        }
        // At least: on a starved machine a fast answer can time out too, and count once more.
        assert.ok(duplicates >= ids.length * SLOW_ATTEMPTS, `${duplicates} duplicates: each timed-out attempt reached the receiver and counts as one`);
      }
      if (fault === '500-then-200') {
        for (const id of ids) {
          const refused = logs.get(id)!.slice(0, FAILING_ATTEMPTS);
          assert.ok(refused.every((entry) => entry.outcome === 'failed' && entry.status === 500), JSON.stringify(refused));
        }
      }
    }
    const decoyHits = loopbackDecoy.received.length + allowlistedDecoy.received.length;
    const allJobs = await timings([...warmUp.ids, ...baselineIds, ...duringIds, ...Object.values(faulty).flat()]);

    console.log(
      `chaos webhook-faults: ${stats.join('; ')}; decoy hits ${decoyHits} (redirect targets 127.0.0.1, 127.0.0.2, 169.254.169.254). ` +
        `Job finish: baseline ${figures(baseline)}; while ${hanging} slow deliveries hung ${figures(during)}; faulty-webhook jobs ${figures(faultyFinish)}. ` +
        `Healthy webhook after job end: baseline ${figures(baselineWebhooks)}, during faults ${figures(duringWebhooks)}`,
    );

    assert.equal(decoyHits, 0, 'a redirect was followed');
    assert.deepEqual([...new Set(allJobs.map((timing) => timing.status))], ['succeeded'], 'every job succeeded, whatever its webhook did');
    assert.ok(hanging > 0, 'the control jobs ran while no slow delivery was hanging: the comparison says nothing');
    // Generous: the machine is shared; a webhook holding a provider slot would add seconds.
    const baseP50 = percentile(baseline, 0.5);
    assert.ok(percentile(during, 0.5) <= baseP50 * 3 + 1_000, `jobs slowed while receivers hung: ${figures(during)} against ${figures(baseline)}`);
    assert.ok(percentile(faultyFinish, 0.5) <= baseP50 * 3 + 1_000, `jobs with faulty webhooks were slowed: ${figures(faultyFinish)}`);
    webhookFigures = { baseline: baselineWebhooks, during: duringWebhooks };
  });

  it('delivers healthy receivers\' webhooks on time while a slow receiver has more deliveries hanging than there are slots', () => {
      assert.ok(webhookFigures, 'the fault run did not finish');
      const { baseline, during } = webhookFigures;
      assert.ok(percentile(during, 0.5) <= percentile(baseline, 0.5) + TIMEOUT_MS / 4, `healthy webhooks waited behind the slow ones: ${figures(during)} against ${figures(baseline)}`);
  });
});
