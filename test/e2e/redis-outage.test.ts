import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, PrivateRedis, startGateway, stopAll, waitFor, type ApiClient, type ApiResponse, type Gateway } from '../support';
import { assertErrorShape, TEAM_A_KEY, type JobLike } from './fixtures';

const CONFIG = `
server: { host: 127.0.0.1 }
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY} }
providers:
  mock: { type: mock }
models:
  m:
    targets: [{ provider: mock, model: echo }]
`;

/** Redis that is down (refusing connections) is noticed at once: every answer comes within this. */
const DOWN_ANSWER_LIMIT_MS = 3_000;
/**
 * Redis that is up but answers nothing is only noticed by the command timeout (5 s). A command can
 * wait for the auto-pipelined batch ahead of it to time out first, and a submit has two rounds
 * (its writes, then the clean-up of what they may have left): four timeouts at most.
 */
const FROZEN_ANSWER_LIMIT_MS = 25_000;

type Call = [name: string, send: (client: ApiClient) => Promise<ApiResponse>];

/** The request paths that touch Redis, each first time round while it is away. */
function callsOn(jobId: string): Call[] {
  return [
    ['submit', (client) => client.post('/v1/jobs', { model: 'm', messages: [{ role: 'user', content: 'while down' }] })],
    ['read', (client) => client.get(`/v1/jobs/${jobId}`)],
    ['long-poll', (client) => client.get(`/v1/jobs/${jobId}?wait=5`)],
    // The first interactive call of the process: it also has to subscribe for its answer.
    ['chat completion', (client) => client.post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'while down' }] })],
  ];
}

/** Every call answers 503 in the error shape within the limit; all are sent together. */
async function assertAll503(client: ApiClient, calls: Call[], limitMs: number, label: string): Promise<void> {
  await Promise.all(
    calls.map(async ([name, send]) => {
      const started = Date.now();
      const response = await send(client);
      const took = Date.now() - started;
      assert.equal(response.status, 503, `${label}, ${name}: ${response.status} ${response.text}`);
      assertErrorShape(response.body, `${label}, ${name}`);
      assert.ok(took < limitMs, `${label}, ${name}: the 503 took ${took} ms (limit ${limitMs} ms)`);
    }),
  );
}

/** Recovery by itself: a new job is accepted and runs to the end. */
async function assertRunsJobsAgain(client: ApiClient, label: string): Promise<void> {
  await waitFor(async () => (await client.get('/readyz')).status === 200, { timeoutMs: 30_000, message: `${label}: /readyz` });
  // The queues' connections may come back a moment after the one /readyz pings.
  const accepted = await waitFor(
    async () => {
      const response = await client.post('/v1/jobs', { model: 'm', messages: [{ role: 'user', content: 'after' }] });
      return response.status === 202 ? (response.body as JobLike) : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 200, message: `${label}: a submit accepted again` },
  );
  // The subscriber a long-poll waits on reconnects on its own schedule too: a 503 until it does.
  await waitFor(
    async () => {
      const response = await client.get(`/v1/jobs/${accepted.id}?wait=5`);
      // Thrown, so the timeout error shows the last answer.
      if ((response.body as JobLike).status !== 'succeeded') throw new Error(`${response.status} ${response.text}`);
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 200, message: `${label}: the job accepted after recovery succeeds` },
  );
}

describe('Redis going away under a running gateway', () => {
  let redis: PrivateRedis;
  let gateway: Gateway;
  let client: ApiClient;

  before(async () => {
    redis = await PrivateRedis.start();
    gateway = await startGateway({ redis, config: CONFIG });
    client = api(gateway.baseUrl, TEAM_A_KEY);
  });
  after(async () => {
    redis?.thaw();
    await stopAll();
    await redis?.stop();
  });

  it('killed: submit, read, long-poll and chat answer 503 in the error shape at once, never 500; recovers by itself', async () => {
    const submitted = (await client.post('/v1/jobs', { model: 'm', messages: [{ role: 'user', content: 'before' }] })).body as JobLike;
    await redis.kill();
    await assertAll503(client, callsOn(submitted.id), DOWN_ANSWER_LIMIT_MS, 'Redis killed');
    // Still so once the reconnect attempts have backed off to their longest.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await assertAll503(client, callsOn(submitted.id).slice(0, 2), DOWN_ANSWER_LIMIT_MS, 'Redis down a while');

    await redis.restart();
    await assertRunsJobsAgain(client, 'after the restart');
  });

  it('frozen (up, answering nothing): every request still answers 503 within its timeout, then recovers', async () => {
    const submitted = (await client.post('/v1/jobs', { model: 'm', messages: [{ role: 'user', content: 'before freeze' }] })).body as JobLike;
    redis.freeze();
    try {
      await assertAll503(client, callsOn(submitted.id), FROZEN_ANSWER_LIMIT_MS, 'Redis frozen');
    } finally {
      redis.thaw();
    }
    await assertRunsJobsAgain(client, 'after the thaw');
  });
});
