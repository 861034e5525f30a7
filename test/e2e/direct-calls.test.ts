import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { api, freePort, PrivateRedis, spawnApp, startGateway, startMockProvider, stopAll, waitFor, writeConfig, type AppProcess, type ApiClient, type ApiResponse, type Gateway, type MockProvider } from '../support';
import { TEAM_A_KEY, assertChatCompletion, type JobLike } from './fixtures';

/**
 * Direct calls (docs/interactive.md, DirectCallRunner): a plain interactive call whose provider
 * queue has nothing of the interactive band waiting runs in the API process that received it,
 * under a lease in `sy:direct-leases` instead of a BullMQ entry. These check it end to end with
 * real processes: it answers with no worker at all, it is queued when work of its band waits
 * ahead or when `server.direct_calls` is 0, a killed API's call is run again by a worker once its
 * lease runs out, a stopped API hands its call to the queue at once, a cancel aborts it in the
 * API, and a failed attempt falls back through the queue.
 *
 * `upstream` is apps/mock-provider reached through the `openai` adapter: its request log counts the
 * provider calls of each job (the adapter sends the job id as x-client-request-id), and its
 * server-wide behaviour (PUT /_control/behaviour) makes a call slow or failing without a
 * `#mock{}` directive in the prompt, which would apply to every target and every retry alike.
 */

const LEASES = 'sy:direct-leases';
const UPSTREAM_API_KEY = 'sk-direct-upstream-0123456789';

interface ConfigOptions {
  upstreamUrl: string;
  interactiveWaitS: number;
  directCalls?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  shutdownGraceMs?: number;
}

function config(o: ConfigOptions): string {
  return `
server: { host: 127.0.0.1, interactive_wait_s: ${o.interactiveWaitS}${o.directCalls === undefined ? '' : `, direct_calls: ${o.directCalls}`} }
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY} }
providers:
  mock: { type: mock, concurrency: 10 }
  upstream:
    type: openai
    base_url: ${o.upstreamUrl}/v1
    api_key: ${UPSTREAM_API_KEY}
    timeout_ms: 30000
    retries: 0
    concurrency: 10
models:
  mock-echo:
    targets: [{ provider: mock, model: echo }]
    cache: { mode: never }
  mock-embed:
    targets: [{ provider: mock, model: embed }]
    cache: { mode: never }
  upstream-echo:
    targets: [{ provider: upstream, model: gpt-4o-mini }]
    cache: { mode: never }
  upstream-then-mock:
    targets: [{ provider: upstream, model: gpt-4o-mini }, { provider: mock, model: echo }]
    cache: { mode: never }
worker:
  lock_duration_ms: ${o.lockDurationMs ?? 30000}
  stalled_interval_ms: ${o.stalledIntervalMs ?? 30000}
  shutdown_grace_ms: ${o.shutdownGraceMs ?? 10000}
`;
}

function chat(model: string, content: string): Record<string, unknown> {
  return { model, messages: [{ role: 'user', content }] };
}

function jobIdOf(response: ApiResponse): string {
  const id = response.headers['x-switchyard-job-id'];
  assert.equal(typeof id, 'string', `no x-switchyard-job-id: ${response.status} ${response.text}`);
  return id as string;
}

/** Every key BullMQ keeps for the job's entries on a provider queue (any hop), and whether a queue list/set holds it. */
async function queueTraces(redis: Redis, provider: string, jobId: string): Promise<string[]> {
  const queue = `sy:provider.${provider}`;
  const traces = await redis.keys(`${queue}:${jobId}*`);
  for (const set of ['prioritized', 'completed', 'failed', 'delayed', 'active']) {
    if ((await redis.type(`${queue}:${set}`)) === 'zset' && (await redis.zscore(`${queue}:${set}`, jobId)) !== null) traces.push(`${set} zset`);
  }
  for (const list of ['wait', 'active']) {
    if ((await redis.type(`${queue}:${list}`)) === 'list' && (await redis.lpos(`${queue}:${list}`, jobId)) !== null) traces.push(`${list} list`);
  }
  return traces;
}

async function status(redis: Redis, jobId: string): Promise<string | null> {
  return redis.hget(`sy:job:${jobId}`, 'status');
}

/** The job id of the one job record that is not in `known`, once it exists. */
async function newJobId(redis: Redis, known: ReadonlySet<string> = new Set()): Promise<string> {
  return waitFor(
    async () => (await redis.keys('sy:job:job_*')).map((key) => key.slice('sy:job:'.length)).find((id) => !known.has(id) && !id.includes(':')),
    { timeoutMs: 10_000, message: 'a new job record' },
  );
}

async function mockCalls(mock: MockProvider, jobId: string): Promise<number> {
  const stats = (await api(mock.baseUrl).get('/_control/stats')).body as { by_request_id: Record<string, number> };
  return stats.by_request_id[jobId] ?? 0;
}

async function setMock(mock: MockProvider, behaviour: Record<string, unknown>): Promise<void> {
  const response = await api(mock.baseUrl).put('/_control/behaviour', behaviour);
  assert.equal(response.status, 200, response.text);
}

/** A direct call under way: the record is active, the lease is held and the provider has the request. */
async function directCallUnderWay(redis: Redis, jobId: string, mock?: MockProvider): Promise<void> {
  await waitFor(
    async () => (await status(redis, jobId)) === 'active' && (await redis.zscore(LEASES, jobId)) !== null && (!mock || (await mockCalls(mock, jobId)) === 1),
    { timeoutMs: 10_000, message: `direct call ${jobId} under way` },
  );
}

async function spawnWorker(redis: PrivateRedis, configPath: string): Promise<AppProcess> {
  return spawnApp('worker', { env: { SWITCHYARD_CONFIG: configPath, REDIS_URL: redis.url, PORT: undefined, WORKER_HEALTH_PORT: '0' }, readyLine: /worker ready/i });
}

async function spawnApi(redis: PrivateRedis, configPath: string): Promise<{ process: AppProcess; http: ApiClient }> {
  const port = await freePort();
  const process = await spawnApp('api', { env: { SWITCHYARD_CONFIG: configPath, REDIS_URL: redis.url, PORT: String(port) }, readyUrl: `http://127.0.0.1:${port}/healthz` });
  return { process, http: api(`http://127.0.0.1:${port}`, TEAM_A_KEY) };
}

describe('direct calls: interactive calls run in the API process when their queue is idle', () => {
  let mock: MockProvider;

  before(async () => {
    mock = await startMockProvider();
  });
  after(async () => {
    await stopAll();
  });

  describe('one api process, default server.direct_calls (a worker joins later)', () => {
    let redis: PrivateRedis;
    let commands: Redis;
    let gateway: Gateway;
    let configPath: string;
    let http: ApiClient;
    let worker: AppProcess | undefined;

    const ensureWorker = async () => {
      worker ??= await spawnWorker(redis, configPath);
    };

    before(async () => {
      redis = await PrivateRedis.start();
      commands = new Redis(redis.url);
      gateway = await startGateway({ redis, config: config({ upstreamUrl: mock.baseUrl, interactiveWaitS: 2 }), apps: ['api'] });
      configPath = gateway.configPath;
      http = api(gateway.baseUrl, TEAM_A_KEY);
    });
    after(async () => {
      commands?.disconnect();
      await worker?.kill('SIGTERM', 5000);
      await gateway?.stop();
      await redis?.stop();
    });

    it('answers chat completions, messages and embeddings with no worker process, leaving no queue entry and no lease', async () => {
      const completion = await http.post('/v1/chat/completions', chat('mock-echo', 'direct hello'));
      assert.equal(completion.status, 200, completion.text);
      assertChatCompletion(completion.body);
      assert.equal((completion.body as { choices: Array<{ message: { content: string } }> }).choices[0].message.content, 'direct hello');

      const message = await http.post('/v1/messages', { model: 'mock-echo', max_tokens: 64, messages: [{ role: 'user', content: 'direct anthropic' }] });
      assert.equal(message.status, 200, message.text);
      assert.equal((message.body as { type: string }).type, 'message');

      const embeddings = await http.post('/v1/embeddings', { model: 'mock-embed', input: ['one', 'two'] });
      assert.equal(embeddings.status, 200, embeddings.text);
      const list = embeddings.body as { object: string; data: Array<{ embedding: number[] }> };
      assert.equal(list.object, 'list');
      assert.equal(list.data.length, 2);

      for (const [response, provider] of [[completion, 'mock'], [message, 'mock'], [embeddings, 'mock']] as const) {
        const jobId = jobIdOf(response);
        const job = (await http.get(`/v1/jobs/${jobId}`)).body as JobLike;
        assert.equal(job.status, 'succeeded', JSON.stringify(job));
        assert.ok(job.result, 'a succeeded job keeps its result');
        assert.deepEqual(await queueTraces(commands, provider, jobId), [], `job ${jobId} left traces on the ${provider} queue`);
      }
      assert.equal(await commands.zcard(LEASES), 0, 'leases left behind');
    });

    it('queues a call when an interactive-band entry already waits on its queue (not one of a lower band)', async () => {
      // With no worker running, whatever is queued stays waiting: that is the backlog. A job
      // submitted on POST /v1/jobs is never run directly (only waited-for calls are), so priority 1
      // there puts a real entry in the interactive band, deterministically, and priority 5 one in
      // a lower band that must not hold direct calls back.
      const background = await http.post('/v1/jobs', { ...chat('mock-echo', 'background work'), priority: 5 });
      assert.equal(background.status, 202, background.text);
      const backgroundId = (background.body as JobLike).id;
      assert.ok((await queueTraces(commands, 'mock', backgroundId)).includes('prioritized zset'), 'the priority-5 job is not waiting on the queue');

      const passes = await http.post('/v1/chat/completions', chat('mock-echo', 'only lower-band work waits'));
      assert.equal(passes.status, 200, `a priority-5 entry held a direct call back: ${passes.status} ${passes.text}`);
      assert.deepEqual(await queueTraces(commands, 'mock', jobIdOf(passes)), []);

      const ahead = await http.post('/v1/jobs', { ...chat('mock-echo', 'interactive work queued first'), priority: 1 });
      assert.equal(ahead.status, 202, ahead.text);
      const aheadId = (ahead.body as JobLike).id;
      assert.equal(await status(commands, aheadId), 'queued');

      // No worker: a queued call cannot answer within interactive_wait_s (2 s). This process has not
      // seen the queue busy yet, so it starts the call while its script is on the way: the built-in
      // mock answers at once, and that answer must be dropped, not written.
      const behind = await http.post('/v1/chat/completions', chat('mock-echo', 'behind the interactive entry'));
      assert.equal(behind.status, 504, `expected the call to be queued, got ${behind.status} ${behind.text}`);
      assert.equal((behind.body as { error: { code: string } }).error.code, 'job_still_running');
      const behindId = jobIdOf(behind);
      assert.equal(await status(commands, behindId), 'queued');
      assert.equal(await commands.hget(`sy:job:${behindId}`, 'result'), null, 'the call started ahead of its script wrote its result');
      assert.equal(await commands.zscore(LEASES, behindId), null, 'a queued call holds a lease');
      assert.ok((await queueTraces(commands, 'mock', behindId)).includes(`sy:provider.mock:${behindId}`), 'no queue entry for the queued call');

      await ensureWorker();
      for (const id of [backgroundId, aheadId, behindId]) {
        const job = (await http.get(`/v1/jobs/${id}?wait=15`)).body as JobLike;
        assert.equal(job.status, 'succeeded', JSON.stringify(job));
      }
    });

    it('falls back through the queue when the direct attempt fails, and the client gets the second target\'s answer', async () => {
      await ensureWorker();
      await setMock(mock, { error_rate: 1, status: 500 });
      try {
        const lines = gateway.processes[0].lines.length;
        const response = await http.post('/v1/chat/completions', chat('upstream-then-mock', 'fall back to the echo'));
        assert.equal(response.status, 200, response.text);
        assert.equal((response.body as { choices: Array<{ message: { content: string } }> }).choices[0].message.content, 'fall back to the echo');
        const jobId = jobIdOf(response);
        const job = (await http.get(`/v1/jobs/${jobId}`)).body as JobLike & { attempts: Array<{ provider: string; outcome: string }> };
        assert.equal(job.status, 'succeeded');
        assert.deepEqual(job.attempts.map((a) => `${a.provider}:${a.outcome}`), ['upstream:failed', 'mock:succeeded']);
        assert.equal(await mockCalls(mock, jobId), 1, 'upstream called once (retries: 0)');
        // The failed attempt ran in the api process (it was direct); the fallback hop went through the queue.
        const apiLines = gateway.processes[0].lines.slice(lines).filter((line) => line.includes(jobId));
        assert.ok(apiLines.some((line) => line.includes('job attempt failed on upstream')), `the api did not run the first attempt:\n${apiLines.join('\n')}`);
        assert.ok((await queueTraces(commands, 'mock', jobId)).length > 0, 'the fallback hop left no trace on the mock queue');
        assert.equal(await commands.zscore(LEASES, jobId), null);
      } finally {
        await setMock(mock, { error_rate: 0 });
      }
    });

    it('cancel aborts a direct call in the api: canceled at once, no result, the provider request aborted', async () => {
      const known = new Set((await commands.keys('sy:job:job_*')).map((key) => key.slice('sy:job:'.length)));
      const started = Date.now();
      const pending = http.post('/v1/chat/completions', chat('upstream-echo', 'cancel me #mock{"latency_ms":20000}'));
      const jobId = await newJobId(commands, known);
      await directCallUnderWay(commands, jobId, mock);
      const cancel = await http.post(`/v1/jobs/${jobId}/cancel`);
      assert.equal(cancel.status, 200, cancel.text);

      const answer = await pending;
      assert.notEqual(answer.status, 200, answer.text);
      await waitFor(async () => (await commands.zscore(LEASES, jobId)) === null, { timeoutMs: 5_000, message: 'the direct call to end (its lease dropped)' });
      const requests = await waitFor(
        async () => {
          const log = (await api(mock.baseUrl).get(`/_control/requests?request_id=${jobId}`)).body as { data: Array<{ aborted: boolean }> };
          return log.data.length === 1 && log.data[0].aborted ? log.data : undefined;
        },
        { timeoutMs: 5_000, message: 'the provider request to be aborted' },
      );
      assert.equal(requests.length, 1);
      assert.ok(Date.now() - started < 12_000, `cancel took ${Date.now() - started} ms against a 20 s call`);
      const record = await commands.hgetall(`sy:job:${jobId}`);
      assert.equal(record.status, 'canceled');
      assert.equal(record.result, undefined, 'a canceled direct call wrote a result');
    });
  });

  describe('server.direct_calls: 0', () => {
    let redis: PrivateRedis;
    let commands: Redis;
    let gateway: Gateway;

    before(async () => {
      redis = await PrivateRedis.start();
      commands = new Redis(redis.url);
      gateway = await startGateway({ redis, config: config({ upstreamUrl: mock.baseUrl, interactiveWaitS: 1, directCalls: 0 }), apps: ['api'] });
    });
    after(async () => {
      commands?.disconnect();
      await gateway?.stop();
      await redis?.stop();
    });

    it('queues every call: without a worker it does not complete, with one it does', async () => {
      const http = api(gateway.baseUrl, TEAM_A_KEY);
      const response = await http.post('/v1/chat/completions', chat('mock-echo', 'queued, not direct'));
      assert.equal(response.status, 504, response.text);
      assert.equal((response.body as { error: { code: string } }).error.code, 'job_still_running');
      const jobId = jobIdOf(response);
      assert.equal(await status(commands, jobId), 'queued');
      assert.ok((await queueTraces(commands, 'mock', jobId)).includes(`sy:provider.mock:${jobId}`), 'no queue entry');
      assert.equal(await commands.exists(LEASES), 0);

      const worker = await spawnWorker(redis, gateway.configPath);
      try {
        const job = (await http.get(`/v1/jobs/${jobId}?wait=15`)).body as JobLike;
        assert.equal(job.status, 'succeeded', JSON.stringify(job));
      } finally {
        await worker.kill('SIGTERM', 5000);
      }
    });
  });

  describe('durability', () => {
    let redis: PrivateRedis;
    let commands: Redis;

    before(async () => {
      redis = await PrivateRedis.start();
      commands = new Redis(redis.url);
    });
    after(async () => {
      commands?.disconnect();
      await redis?.stop();
    });

    it('a worker runs again the call of an api process killed mid-call, once its lease runs out', async () => {
      const configPath = await writeConfig(config({ upstreamUrl: mock.baseUrl, interactiveWaitS: 30, lockDurationMs: 2000, stalledIntervalMs: 500 }));
      const { process: apiProcess, http } = await spawnApi(redis, configPath);
      // The first call is slow; the worker's, after the api is gone, is not.
      await setMock(mock, { latency_ms: 10_000 });
      let worker: AppProcess | undefined;
      try {
        const pending = http.post('/v1/chat/completions', chat('upstream-echo', 'outlive the api')).catch((error: Error) => error);
        const jobId = await newJobId(commands);
        await directCallUnderWay(commands, jobId, mock);
        assert.deepEqual(await queueTraces(commands, 'upstream', jobId), [], 'a direct call has no queue entry');
        await setMock(mock, { latency_ms: 0 });

        await apiProcess.kill('SIGKILL');
        const killedAt = Date.now();
        assert.ok((await pending) instanceof Error, 'the client of a killed api got an answer');
        assert.equal(await status(commands, jobId), 'active');

        worker = await spawnWorker(redis, configPath);
        await waitFor(async () => (await status(commands, jobId)) === 'succeeded', { timeoutMs: 20_000, intervalMs: 100, message: 'the worker to finish the lost direct call' });
        const tookMs = Date.now() - killedAt;
        assert.equal(await mockCalls(mock, jobId), 2, 'the worker called the provider again');
        const record = await commands.hgetall(`sy:job:${jobId}`);
        assert.ok(record.result, 'no result');
        assert.equal(await commands.zcard(LEASES), 0, 'the lease outlived the job');
        assert.ok(worker.lines.some((line) => line.includes(jobId) && line.includes('lost its API process')), 'the sweeper did not log the queued call');
        assert.ok(tookMs < 20_000, `took ${tookMs} ms`);
      } finally {
        await setMock(mock, { latency_ms: 0 });
        await worker?.kill('SIGTERM', 5000);
        await apiProcess.kill('SIGKILL');
      }
    });

    /**
     * SIGTERMs an api process while it runs a direct call (8 s at the provider) and expects a
     * worker to finish the job soon after shutdown_grace_ms (500 ms): with lease and stalled
     * checks at 30 s, only the hand-back can do that. `clientWaits`: the client is still waiting
     * for the answer when the api is stopped (interactive_wait_s 30), else it has had its 504
     * job_still_running already (interactive_wait_s 1) and polls the job.
     */
    async function handBackAtShutdown(clientWaits: boolean): Promise<void> {
      const configPath = await writeConfig(config({ upstreamUrl: mock.baseUrl, interactiveWaitS: clientWaits ? 30 : 1, shutdownGraceMs: 500 }));
      const [{ process: apiProcess, http }, worker] = await Promise.all([spawnApi(redis, configPath), spawnWorker(redis, configPath)]);
      await setMock(mock, { latency_ms: 8_000 });
      try {
        const known = new Set((await commands.keys('sy:job:job_*')).map((key) => key.slice('sy:job:'.length)));
        const pending = http.post('/v1/chat/completions', chat('upstream-echo', `handed back at shutdown (client waits: ${clientWaits})`)).catch((error: Error) => error);
        const jobId = await newJobId(commands, known);
        // Run by the api even though a worker is idle: the queue has nothing waiting.
        await directCallUnderWay(commands, jobId, mock);
        assert.deepEqual(await queueTraces(commands, 'upstream', jobId), [], 'a direct call has no queue entry');
        if (!clientWaits) {
          const answer = await pending;
          assert.ok(!(answer instanceof Error) && answer.status === 504, `expected 504 job_still_running, got ${answer instanceof Error ? answer.message : answer.text}`);
          assert.equal(await status(commands, jobId), 'active', 'the direct call carries on after the 504');
        }
        await setMock(mock, { latency_ms: 0 });

        const stoppedAt = Date.now();
        const exited = apiProcess.kill('SIGTERM', 20_000);
        await waitFor(async () => (await status(commands, jobId)) === 'succeeded', { timeoutMs: 15_000, intervalMs: 100, message: 'the job to succeed' });
        const tookMs = Date.now() - stoppedAt;
        assert.equal(await mockCalls(mock, jobId), 2, `the job ended ${tookMs} ms after SIGTERM, without a second provider call: the api finished its call itself instead of handing it back`);
        assert.ok(tookMs < 4_000, `the handed-back call took ${tookMs} ms (the lease alone would take 30 s)`);
        assert.equal(await commands.zcard(LEASES), 0);
        await exited;
        assert.ok(Date.now() - stoppedAt < 10_000, `the api took ${Date.now() - stoppedAt} ms to stop`);
        assert.ok(apiProcess.lines.some((line) => line.includes('handing them to the queue')), 'the api did not log the hand-back');
        await pending;
      } finally {
        await setMock(mock, { latency_ms: 0 });
        await Promise.all([worker.kill('SIGTERM', 5000), apiProcess.kill('SIGKILL')]);
      }
    }

    it('an api stopped with SIGTERM hands a direct call still running after shutdown_grace_ms to a worker at once', async () => {
      await handBackAtShutdown(false);
    });

    it('the same while the client still waits for the answer, which the worker\'s end then answers', async () => {
      await handBackAtShutdown(true);
    });
  });
});
