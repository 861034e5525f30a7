import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, PrivateRedis, startGateway, startMockProvider, stopAll, waitFor, type ApiClient, type Gateway, type MockProvider } from '../support';
import { assertErrorShape, TEAM_A_KEY, UPSTREAM_KEY, type JobLike } from './fixtures';

/** `CHAOS_PROFILE=long` (npm run chaos): a bigger run and a longer outage; CI runs a smaller copy. */
const LONG = process.env.CHAOS_PROFILE === 'long';
/** Jobs acknowledged before the fault, and after Redis is back, per fault. */
const JOBS_BEFORE = LONG ? 1_500 : 150;
const JOBS_AFTER = LONG ? 1_500 : 100;
const DOWN_MS = LONG ? 15_000 : 2_000;
/** Submits in flight at any moment: the fault lands on requests half-way through. */
const IN_FLIGHT = 20;
/** While Redis is down every request answers 503 within this: never a hang, never a 500. */
const DOWN_ANSWER_LIMIT_MS = 3_000;
/** AOF `everysec`: a kill -9 may lose what was acknowledged in its last second, nothing older. */
const UNSYNCED_WINDOW_MS = 1_000;

function config(mock: MockProvider): string {
  return `
server: { host: 127.0.0.1 }
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY} }
providers:
  upstream:
    type: openai
    base_url: ${mock.baseUrl}/v1
    api_key: \${UPSTREAM_KEY}
    concurrency: 20
models:
  m:
    targets: [{ provider: upstream, model: gpt-4o-mini }]
    cache: { mode: never }
worker: { lock_duration_ms: 3000, stalled_interval_ms: 1000 }
retention: { succeeded_s: 3600, failed_s: 3600 }
`;
}

interface Acknowledged {
  id: string;
  at: number;
}

/**
 * Submits without pause, IN_FLIGHT at a time, until stopped: what got a 202 and when, how many
 * got a 503, and anything else (which must not happen).
 */
class SubmitLoad {
  readonly acknowledged: Acknowledged[] = [];
  refused = 0;
  slowestRefusalMs = 0;
  readonly unexpected: string[] = [];
  private stopping = false;
  private readonly runners: Array<Promise<void>>;

  constructor(
    private readonly client: ApiClient,
    private readonly label: string,
  ) {
    this.runners = Array.from({ length: IN_FLIGHT }, (_, lane) => this.run(lane));
  }

  acknowledgedSince(at: number): number {
    return this.acknowledged.filter((job) => job.at >= at).length;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.runners);
  }

  private async run(lane: number): Promise<void> {
    for (let n = 0; !this.stopping; n++) {
      const started = Date.now();
      try {
        const response = await this.client.post('/v1/jobs', { model: 'm', messages: [{ role: 'user', content: `${this.label} ${lane}.${n}` }] });
        if (response.status === 202) {
          this.acknowledged.push({ id: (response.body as JobLike).id, at: Date.now() });
          continue;
        }
        if (response.status !== 503) {
          this.unexpected.push(`${response.status} ${response.text.slice(0, 200)}`);
          continue;
        }
        assertErrorShape(response.body, `${this.label}: a 503`);
        this.refused++;
        this.slowestRefusalMs = Math.max(this.slowestRefusalMs, Date.now() - started);
      } catch (error) {
        this.unexpected.push(`no answer: ${(error as Error).message}`);
      }
      // A client told to retry shortly does so, not in a tight loop.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

interface FaultFigures {
  acknowledged: number;
  finished: number;
  refused: number;
  slowestRefusalMs: number;
  recoveredMs: number;
  /** Not finished among those acknowledged within UNSYNCED_WINDOW_MS before the fault. */
  lostInLastSecond: number;
  acknowledgedInLastSecond: number;
  /** Not finished among all the others: must be 0. */
  lost: number;
}

describe(`chaos: Redis (AOF everysec) shut down, then killed with SIGKILL, under load (${JOBS_BEFORE} + ${JOBS_AFTER} jobs per fault, ${DOWN_MS / 1000} s down)`, () => {
  let redis: PrivateRedis;
  let mock: MockProvider;
  let gateway: Gateway;
  let client: ApiClient;
  const figures = new Map<string, FaultFigures>();

  before(async () => {
    redis = await PrivateRedis.start({ extraArgs: ['--appendonly', 'yes', '--appendfsync', 'everysec'] });
    mock = await startMockProvider({ MOCK_LATENCY_MS: '20', MOCK_API_KEY: UPSTREAM_KEY });
    gateway = await startGateway({ redis, config: config(mock), apps: ['api', 'worker'], env: { UPSTREAM_KEY } });
    client = api(gateway.baseUrl, TEAM_A_KEY);
  });
  after(async () => {
    const line = [...figures].map(([fault, f]) => {
      const lastSecond = fault === 'kill -9' ? ` (${f.lostInLastSecond} of the ${f.acknowledgedInLastSecond} acknowledged in its last second)` : '';
      return (
        `${fault} for ${DOWN_MS / 1000} s: ${f.acknowledged} acknowledged, ${f.finished} finished, ${f.lost + f.lostInLastSecond} lost${lastSecond}; ` +
        `${f.refused} submits answered 503 while down (slowest ${f.slowestRefusalMs} ms), accepting again ${f.recoveredMs} ms after the restart`
      );
    });
    process.stdout.write(`chaos redis-restart: ${line.join('; ')}\n`);
    await stopAll();
    await redis?.stop();
  });

  /** While down: a read and a chat completion answer 503 in the error shape, in time, like the submits. */
  async function assertAnswers503(label: string, jobId: string): Promise<void> {
    const calls: Array<[string, () => ReturnType<ApiClient['get']>]> = [
      ['read', () => client.get(`/v1/jobs/${jobId}`)],
      ['chat completion', () => client.post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'while down' }] })],
    ];
    for (const [name, call] of calls) {
      const started = Date.now();
      const response = await call();
      const took = Date.now() - started;
      assert.equal(response.status, 503, `${label}, ${name}: ${response.status} ${response.text}`);
      assertErrorShape(response.body, `${label}, ${name}`);
      assert.ok(took < DOWN_ANSWER_LIMIT_MS, `${label}, ${name}: the 503 took ${took} ms`);
    }
  }

  const ENDED = new Set(['succeeded', 'failed', 'canceled', 'expired']);

  /**
   * The acknowledged jobs that did not succeed, waiting for each as long as a minute. A long-poll
   * answers 503 until its Redis subscriber is back (on a busy machine that can outlast the
   * restart by a while), so an answer without a status is asked again; only the minute is final.
   */
  async function unfinished(jobs: Acknowledged[]): Promise<Acknowledged[]> {
    const until = Date.now() + 60_000;
    const statusOf = async (id: string): Promise<string | undefined> => {
      for (;;) {
        const { status } = (await client.get(`/v1/jobs/${id}?wait=${Math.max(1, Math.ceil((until - Date.now()) / 1000))}`)).body as Partial<JobLike>;
        if ((status !== undefined && ENDED.has(status)) || Date.now() >= until) return status;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    const left: Acknowledged[] = [];
    for (let start = 0; start < jobs.length; start += 250) {
      const chunk = jobs.slice(start, start + 250);
      const statuses = await Promise.all(chunk.map((job) => statusOf(job.id)));
      left.push(...chunk.filter((_, i) => statuses[i] !== 'succeeded'));
    }
    return left;
  }

  /** Load, the fault, DOWN_MS of outage with the load still on, the restart, load again, then the count. */
  async function survive(fault: string, inject: () => Promise<void>, mayLoseLastSecond: boolean): Promise<FaultFigures> {
    const load = new SubmitLoad(client, fault);
    try {
      await waitFor(() => load.acknowledged.length >= JOBS_BEFORE, { timeoutMs: 60_000, intervalMs: 20, message: `${JOBS_BEFORE} jobs acknowledged` });
      const faultAt = Date.now();
      await inject();
      await waitFor(() => !redis.running, { timeoutMs: 10_000, message: 'redis to stop' });
      const refusedBefore = load.refused;
      await assertAnswers503(fault, load.acknowledged[0].id);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, faultAt + DOWN_MS - Date.now())));
      assert.ok(load.refused > refusedBefore, `${fault}: no submit was answered while Redis was down`);
      await redis.restart();
      const restartedAt = Date.now();
      await waitFor(() => load.acknowledgedSince(restartedAt) >= JOBS_AFTER, { timeoutMs: 60_000, intervalMs: 20, message: `${fault}: ${JOBS_AFTER} jobs acknowledged after the restart` });
      await load.stop();
      assert.deepEqual(load.unexpected.slice(0, 5), [], `${fault}: answers other than 202 and 503`);
      assert.ok(load.slowestRefusalMs < DOWN_ANSWER_LIMIT_MS, `${fault}: a submit took ${load.slowestRefusalMs} ms to get its 503`);

      const left = new Set((await unfinished(load.acknowledged)).map((job) => job.id));
      const lastSecond = (job: Acknowledged): boolean => mayLoseLastSecond && job.at >= faultAt - UNSYNCED_WINDOW_MS && job.at < restartedAt;
      const inLastSecond = load.acknowledged.filter(lastSecond);
      return {
        acknowledged: load.acknowledged.length,
        finished: load.acknowledged.length - left.size,
        refused: load.refused,
        slowestRefusalMs: load.slowestRefusalMs,
        recoveredMs: Math.min(...load.acknowledged.filter((job) => job.at >= restartedAt).map((job) => job.at)) - restartedAt,
        acknowledgedInLastSecond: inLastSecond.length,
        lostInLastSecond: inLastSecond.filter((job) => left.has(job.id)).length,
        lost: load.acknowledged.filter((job) => !lastSecond(job) && left.has(job.id)).length,
      };
    } finally {
      await load.stop();
    }
  }

  it('SHUTDOWN: submits answer 503 while it is down, the gateway recovers by itself, every acknowledged job finishes', async () => {
    // SHUTDOWN closes the connection without a reply: a client that does not reconnect lets go at once.
    const shutdown = () => redis.client({ retryStrategy: () => null }).call('SHUTDOWN').then(() => undefined, () => undefined);
    const f = await survive('SHUTDOWN', shutdown, false);
    figures.set('SHUTDOWN', f);
    assert.equal(f.lost, 0, `${f.lost} acknowledged jobs did not finish`);
  });

  it('kill -9: the same, and only jobs acknowledged in the last second before it may be lost', async () => {
    const f = await survive('kill -9', () => redis.kill(), true);
    figures.set('kill -9', f);
    assert.equal(f.lost, 0, `${f.lost} jobs acknowledged over a second before the kill (or after the restart) did not finish`);
  });
});
