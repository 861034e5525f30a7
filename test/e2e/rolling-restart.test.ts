import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { api, jobStatusCounts, PrivateRedis, spawnApp, startGateway, stopAll, waitFor, type Gateway } from '../support';
import { TEAM_A_KEY, type JobLike } from './fixtures';

const JOBS = 2000;

/**
 * One provider whose calls take 800 ms, 100 at a time per worker: 2,000 jobs take a worker about
 * sixteen seconds, so a restart lands mid-run with a full set of calls active even when starting
 * the second worker takes seconds (300 ms calls had let the first worker drain the queue first
 * when another suite ran alongside). The grace period is shorter than a call on purpose, so the
 * stopping worker has calls to hand back.
 */
const CONFIG = `
server: { host: 127.0.0.1 }
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY} }
providers:
  slow: { type: mock, concurrency: 100, options: { delay_ms: 800 } }
models:
  m:
    targets: [{ provider: slow, model: echo }]
    cache: { mode: never }
worker: { shutdown_grace_ms: 100, lock_duration_ms: 30000 }
`;

describe('rolling restart under load', () => {
  let redis: PrivateRedis;
  let gateway: Gateway;
  let commands: Redis;

  before(async () => {
    redis = await PrivateRedis.start();
    commands = new Redis(redis.url);
    gateway = await startGateway({ redis, config: CONFIG, apps: ['api', 'worker'] });
  });
  after(async () => {
    commands?.disconnect();
    await stopAll();
    await redis?.stop();
  });

  it('loses no job and runs none twice when the worker and the api are replaced mid-run', async () => {
    const client = api(gateway.baseUrl, TEAM_A_KEY);
    const ids: string[] = [];
    for (let start = 0; start < JOBS; start += 200) {
      const accepted = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const response = await client.post('/v1/jobs', { model: 'm', messages: [{ role: 'user', content: `job ${start + i}` }] });
          assert.equal(response.status, 202, response.text);
          return (response.body as JobLike).id;
        }),
      );
      ids.push(...accepted);
    }
    const succeeded = async (): Promise<number> => (await jobStatusCounts(commands)).succeeded ?? 0;
    await waitFor(async () => (await succeeded()) >= 200, { timeoutMs: 30_000, message: 'the first worker never got going' });

    const env = { SWITCHYARD_CONFIG: gateway.configPath, REDIS_URL: redis.url, LOG_LEVEL: 'info' };
    const [firstApi, firstWorker] = gateway.processes;
    // A new worker first, then SIGTERM to the old one, as a rolling deploy does it.
    const secondWorker = await spawnApp('worker', { env, readyLine: /worker ready/i });
    await firstWorker.kill('SIGTERM', 15_000);
    const workerExit = await firstWorker.exited;
    // Nest re-raises the signal once its shutdown hooks are done; a SIGKILL would mean they hung.
    assert.ok(workerExit.code === 0 || workerExit.signal === 'SIGTERM', `the old worker exited with ${JSON.stringify(workerExit)}`);
    assert.match(firstWorker.output(), /handing them back to the queue/);

    // Long-polls open when the api is told to stop are answered, not cut.
    const pending = ids.slice(-20);
    const polls = Promise.all(pending.map((id) => client.get(`/v1/jobs/${id}?wait=30`)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await firstApi.kill('SIGTERM', 15_000);
    for (const poll of await polls) assert.equal(poll.status, 200, poll.text);
    const port = new URL(gateway.baseUrl).port;
    await spawnApp('api', { env: { ...env, PORT: port }, readyUrl: `${gateway.baseUrl}/healthz` });
    assert.ok(secondWorker.running);

    const finished = await Promise.all(ids.map(async (id) => (await client.get(`/v1/jobs/${id}?wait=60`)).body as JobLike));
    const statuses = new Map<string, number>();
    for (const job of finished) statuses.set(job.status, (statuses.get(job.status) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(statuses), { succeeded: JOBS });
    // Each job has exactly one call that produced its result: a handed-back call left no attempt.
    const twice = finished.filter((job) => job.attempts.filter((attempt) => attempt.outcome === 'succeeded').length !== 1);
    assert.deepEqual(twice.map((job) => job.id), []);
  });
});
