import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { api, freePort, jobStatusCounts, PrivateRedis, startGateway, startMockProvider, stopAll, type ApiClient, type Gateway, type MockProvider } from '../support';
import { TEAM_A_KEY, UPSTREAM_KEY } from './fixtures';

/** `CHAOS_PROFILE=long` (npm run chaos): ten times the jobs per fault; CI runs a smaller copy. */
const LONG = process.env.CHAOS_PROFILE === 'long';
const JOBS_PER_FAULT = LONG ? 200 : 20;
/** A job that has not ended this long after its fault began counts as stuck. */
const STUCK_AFTER_MS = LONG ? 180_000 : 60_000;
/** The primary's timeout, and the `slow` fault's latency well past it. */
const PRIMARY_TIMEOUT_MS = 1500;
const SLOW_LATENCY_MS = 4000;
/** One try and one retry on the primary before a job falls back. */
const PRIMARY_RETRIES = 1;
/** Long enough that jobs still being submitted meet the storm too. */
const STORM_MS = LONG ? 5000 : 2000;

interface Attempt {
  provider: string;
  outcome: string;
  error: { code: string | null } | null;
}

interface FaultJob {
  id: string;
  status: string;
  provider: string | null;
  attempts: Attempt[];
  error: { code: string | null } | null;
}

/** What the configuration says a job meeting the fault must do. */
type Expected =
  /** Retry on the primary, then succeed on the backup. */
  | 'fall back'
  /** Wait out the 429s (the queue pauses for retry-after) and succeed on the primary. */
  | 'wait'
  /**
   * End `failed`: with no target left, or, for a stream, with the error as its last event, since
   * part of the answer was already streamed and no target can continue it.
   */
  | 'fail';

/**
 * Faults run one after another on a track, since a fault is the primary mock's behaviour for the
 * time being; the plain and the streamed track each have their own primary and run side by side.
 */
type Track = 'plain' | 'stream';

interface Fault {
  name: string;
  track: Track;
  model: 'outage' | 'outage-only' | 'm' | 'm-429-fallback' | 'm-stream';
  /** PUT on the primary mock for the length of the fault; none for an outage (nothing listens). */
  behaviour?: Record<string, unknown>;
  expected: Expected;
  /** The error code every failed attempt on the primary carries. */
  code: string;
}

/** Every call answered 429 with this retry-after; a storm passes after STORM_MS. */
const throttled = (retryAfterS: number): Record<string, unknown> => ({ error_rate: 1, status: 429, retry_after_s: retryAfterS });
const STORM = { ...throttled(1), for_ms: STORM_MS };

const FAULTS: Fault[] = [
  { name: 'outage', track: 'plain', model: 'outage', expected: 'fall back', code: 'network' },
  { name: 'outage-no-fallback', track: 'plain', model: 'outage-only', expected: 'fail', code: 'network' },
  { name: 'slow', track: 'plain', model: 'm', behaviour: { latency_ms: SLOW_LATENCY_MS }, expected: 'fall back', code: 'timeout' },
  { name: 'reset', track: 'plain', model: 'm', behaviour: { reset: true }, expected: 'fall back', code: 'network' },
  { name: 'malformed-json', track: 'plain', model: 'm', behaviour: { malformed_json: true }, expected: 'fall back', code: 'bad_response' },
  { name: '429-storm-wait', track: 'plain', model: 'm', behaviour: STORM, expected: 'wait', code: 'rate_limited' },
  { name: '429-storm-fallback', track: 'plain', model: 'm-429-fallback', behaviour: throttled(30), expected: 'fall back', code: 'rate_limited' },
  // Last on its track: before the fix it paused the primary's queue for an hour.
  { name: '429-retry-after-1h', track: 'plain', model: 'm', behaviour: throttled(3600), expected: 'fall back', code: 'rate_limited' },
  { name: 'stream-truncated', track: 'stream', model: 'm-stream', behaviour: { stream_truncate_after: 0 }, expected: 'fall back', code: 'bad_response' },
  { name: 'stream-error-event', track: 'stream', model: 'm-stream', behaviour: { stream_fail_after: 0 }, expected: 'fall back', code: 'server_error' },
  { name: 'stream-reset', track: 'stream', model: 'm-stream', behaviour: { reset: true }, expected: 'fall back', code: 'bad_response' },
  { name: 'stream-stall', track: 'stream', model: 'm-stream', behaviour: { stream_stall_after: 0 }, expected: 'fall back', code: 'timeout' },
  { name: 'stream-429-storm-wait', track: 'stream', model: 'm-stream', behaviour: STORM, expected: 'wait', code: 'rate_limited' },
  { name: 'stream-cut-mid-answer', track: 'stream', model: 'm-stream', behaviour: { stream_truncate_after: 2 }, expected: 'fail', code: 'bad_response' },
  { name: 'stream-stall-mid-answer', track: 'stream', model: 'm-stream', behaviour: { stream_stall_after: 2 }, expected: 'fail', code: 'timeout' },
];

/** The provider a fault's model tries first. */
function primaryOf(fault: Fault): string {
  if (fault.model.startsWith('outage')) return 'dead';
  return fault.track === 'stream' ? 'primary-stream' : 'primary';
}

/** Every knob a fault turns, back at rest. */
const CALM = {
  latency_ms: 0,
  error_rate: 0,
  reset: false,
  malformed_json: false,
  stream_fail_after: null,
  stream_truncate_after: null,
  stream_stall_after: null,
};

/** Circuits off on the faulty providers: every job must meet the fault itself, not skip past it. */
const NO_CIRCUIT = 'circuit_breaker: { failure_threshold: 1000000, min_requests: 1000000 }';

function config(primary: MockProvider, streamPrimary: MockProvider, deadUrl: string, backup: MockProvider): string {
  const provider = (name: string, baseUrl: string, extra: string): string => `
  ${name}:
    type: openai
    base_url: ${baseUrl}/v1
    api_key: \${UPSTREAM_KEY}
    concurrency: 50
    retries: ${PRIMARY_RETRIES}
    retry_backoff_ms: 50
    retry_backoff_max_ms: 200
    ${extra}`;
  return `
# A stream whose end is missed answers job_still_running after 15 s idle, not after the default 300.
server: { host: 127.0.0.1, interactive_wait_s: 15 }
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY} }
providers:${provider('primary', primary.baseUrl, `timeout_ms: ${PRIMARY_TIMEOUT_MS}
    ${NO_CIRCUIT}`)}${provider('primary-stream', streamPrimary.baseUrl, `timeout_ms: ${PRIMARY_TIMEOUT_MS}
    ${NO_CIRCUIT}`)}${provider('dead', deadUrl, `timeout_ms: ${PRIMARY_TIMEOUT_MS}
    ${NO_CIRCUIT}`)}${provider('backup', backup.baseUrl, 'timeout_ms: 20000')}
models:
  m:
    targets: [{ provider: primary, model: gpt-4o-mini }, { provider: backup, model: gpt-4o-mini }]
    on_rate_limit: wait
    cache: { mode: never }
  m-429-fallback:
    targets: [{ provider: primary, model: gpt-4o-mini }, { provider: backup, model: gpt-4o-mini }]
    on_rate_limit: fallback
    cache: { mode: never }
  m-stream:
    targets: [{ provider: primary-stream, model: gpt-4o-mini }, { provider: backup, model: gpt-4o-mini }]
    on_rate_limit: wait
    cache: { mode: never }
  outage:
    targets: [{ provider: dead, model: gpt-4o-mini }, { provider: backup, model: gpt-4o-mini }]
    cache: { mode: never }
  outage-only:
    targets: [{ provider: dead, model: gpt-4o-mini }]
    cache: { mode: never }
worker: { lock_duration_ms: 5000, stalled_interval_ms: 2000 }
retention: { succeeded_s: 3600, failed_s: 3600 }
`;
}

async function setBehaviour(mock: MockProvider, patch: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${mock.baseUrl}/_control/behaviour`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) });
  assert.equal(response.status, 200, await response.text());
}

async function callsById(mock: MockProvider): Promise<Record<string, number>> {
  return ((await (await fetch(`${mock.baseUrl}/_control/stats`)).json()) as { by_request_id: Record<string, number> }).by_request_id;
}

/** What a streaming client read: the content, whether it ended with [DONE], and an error event if one came. */
interface StreamRead {
  status: number;
  text: string;
  contentChunks: number;
  done: boolean;
  error: { code: string | null } | null;
}

function readSse(status: number, raw: string): StreamRead {
  const read: StreamRead = { status, text: '', contentChunks: 0, done: false, error: null };
  for (const event of raw.split('\n\n')) {
    const data = event
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .join('\n');
    if (data === '') continue;
    if (data === '[DONE]') {
      read.done = true;
      continue;
    }
    const json = JSON.parse(data) as { error?: { code: string | null }; choices?: Array<{ delta?: { content?: string | null } }> };
    if (json.error) read.error = json.error;
    for (const choice of json.choices ?? []) {
      if (choice.delta?.content) {
        read.text += choice.delta.content;
        read.contentChunks++;
      }
    }
  }
  return read;
}

/** A job's record once it has ended, or its last state when STUCK_AFTER_MS ran out first. */
async function awaitEnd(client: ApiClient, id: string, deadline: number): Promise<FaultJob> {
  for (;;) {
    const waitS = Math.max(1, Math.min(20, Math.ceil((deadline - Date.now()) / 1000)));
    const response = await client.get(`/v1/jobs/${id}?wait=${waitS}`);
    assert.equal(response.status, 200, response.text);
    const job = response.body as FaultJob;
    if (['succeeded', 'failed', 'canceled', 'expired'].includes(job.status) || Date.now() >= deadline) return job;
  }
}

const trailOf = (job: FaultJob): string[] => job.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`);
const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((item, i) => item === b[i]);

/**
 * How a job's end, its attempt trail and (for a stream) what its client read differ from what the
 * configuration promises for the fault; undefined when they do not.
 */
function whatWentWrong(fault: Fault, job: FaultJob, primaryCalls: number | undefined, read: StreamRead | undefined, prompt: string): string | undefined {
  const primary = primaryOf(fault);
  const failedOnPrimary = job.attempts.filter((attempt) => attempt.provider === primary && attempt.outcome === 'failed');
  const wrongCode = failedOnPrimary.find((attempt) => attempt.error?.code !== fault.code);
  if (wrongCode) return `an attempt on ${primary} failed with ${wrongCode.error?.code ?? 'no code'}, not ${fault.code}`;
  // A plain job tries the primary and retries; a 429 is not retried, and a stream that has sent tokens cannot be.
  const tries = fault.code === 'rate_limited' || (fault.track === 'stream' && fault.expected === 'fail') ? 1 : PRIMARY_RETRIES + 1;
  const onPrimary = Array<string>(tries).fill(`${primary}:failed`);
  switch (fault.expected) {
    case 'fall back':
      if (job.status !== 'succeeded' || !same(trailOf(job), [...onPrimary, 'backup:succeeded'])) return `expected ${[...onPrimary, 'backup:succeeded']}`;
      break;
    case 'wait':
      if (job.status !== 'succeeded' || job.attempts.some((attempt) => attempt.provider !== primary)) return `expected to wait for ${primary} and succeed there`;
      break;
    case 'fail':
      if (job.status !== 'failed' || job.error?.code !== fault.code || !same(trailOf(job), onPrimary)) return `expected to fail with ${fault.code} after ${onPrimary}`;
      break;
  }
  // The mock counts the calls it got for each job: one per attempt on it, none lost or doubled.
  if (primaryCalls !== undefined && primaryCalls !== failedOnPrimary.length + (job.status === 'succeeded' && job.provider === primary ? 1 : 0)) {
    return `${primaryCalls} calls reached ${primary} for ${job.attempts.length} attempts`;
  }
  if (read === undefined) return undefined;
  // A streaming client reads one target's whole answer, or the chunks before the cut and then the error as the last event.
  if (read.status !== 200) return `the stream answered ${read.status}`;
  if (fault.expected === 'fail') {
    if (read.contentChunks !== 2 || read.done || read.error?.code !== fault.code) return `the client read ${read.contentChunks} chunks, then ${read.error?.code ?? (read.done ? '[DONE]' : 'nothing')}`;
  } else if (read.text !== prompt || !read.done || read.error !== null) {
    return `the client read "${read.text}"${read.done ? ' and [DONE]' : ''}${read.error ? ` and ${read.error.code}` : ''}`;
  }
  return undefined;
}

interface Tally {
  seconds: number;
  jobs: number;
  succeeded: number;
  fellBack: number;
  waited: number;
  failed: number;
  stuck: number;
  /** Jobs whose end, trail or stream differ from the fault's promise. */
  wrong: number;
  primaryCalls: number;
  /** The first few differences, for the assertion message. */
  problems: string[];
}

describe(`chaos: provider faults on the primary target (${FAULTS.length} faults, ${JOBS_PER_FAULT} jobs each)`, () => {
  let redis: PrivateRedis;
  let primary: MockProvider;
  let streamPrimary: MockProvider;
  let backup: MockProvider;
  let gateway: Gateway;
  let client: ApiClient;

  before(async () => {
    redis = await PrivateRedis.start();
    [primary, streamPrimary, backup] = await Promise.all([
      startMockProvider({ MOCK_API_KEY: UPSTREAM_KEY }),
      startMockProvider({ MOCK_API_KEY: UPSTREAM_KEY }),
      startMockProvider({ MOCK_API_KEY: UPSTREAM_KEY, MOCK_LATENCY_MS: '20' }),
    ]);
    // A provider that is down: nothing listens on its port, so every call meets ECONNREFUSED.
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    gateway = await startGateway({ redis, config: config(primary, streamPrimary, deadUrl, backup), apps: ['api', 'worker', 'worker'], env: { UPSTREAM_KEY } });
    client = api(gateway.baseUrl, TEAM_A_KEY);
  });
  after(async () => {
    await stopAll();
    await redis?.stop();
  });

  /** Runs one fault's jobs to their end (or to STUCK_AFTER_MS) and checks each one against the fault's promise. */
  async function runFault(fault: Fault): Promise<Tally> {
    const mock = fault.track === 'stream' ? streamPrimary : primary;
    await setBehaviour(mock, CALM);
    if (fault.behaviour) await setBehaviour(mock, fault.behaviour);
    const began = Date.now();
    const deadline = began + STUCK_AFTER_MS;
    const prompt = (i: number): string => `${fault.name} job ${i}`;
    const body = (i: number): Record<string, unknown> => ({ model: fault.model, messages: [{ role: 'user', content: prompt(i) }] });
    const submitted = await Promise.all(
      Array.from({ length: JOBS_PER_FAULT }, async (_, i): Promise<{ id: string; read?: StreamRead }> => {
        if (fault.track === 'plain') {
          const response = await client.post('/v1/jobs', body(i));
          assert.equal(response.status, 202, response.text);
          return { id: (response.body as { id: string }).id };
        }
        const response = await client.raw('POST', '/v1/chat/completions', {
          body: JSON.stringify({ ...body(i), stream: true }),
          headers: { 'content-type': 'application/json' },
          timeoutMs: STUCK_AFTER_MS,
        });
        const id = response.headers['x-switchyard-job-id'];
        assert.ok(typeof id === 'string', `${fault.name}: no job id on ${response.status} ${response.text}`);
        return { id, read: readSse(response.status, response.text) };
      }),
    );
    const jobs = await Promise.all(submitted.map(({ id }) => awaitEnd(client, id, deadline)));
    const calls = await callsById(mock);
    const primaryName = primaryOf(fault);
    const outage = primaryName === 'dead';
    const tally: Tally = { seconds: (Date.now() - began) / 1000, jobs: jobs.length, succeeded: 0, fellBack: 0, waited: 0, failed: 0, stuck: 0, wrong: 0, primaryCalls: 0, problems: [] };
    for (const [i, job] of jobs.entries()) {
      if (job.status === 'succeeded') tally.succeeded++;
      else if (job.status === 'failed') tally.failed++;
      else tally.stuck++;
      if (job.status === 'succeeded' && job.provider === 'backup') tally.fellBack++;
      if (job.status === 'succeeded' && job.provider === primaryName && job.attempts.length > 1) tally.waited++;
      if (!outage) tally.primaryCalls += calls[job.id] ?? 0;
      const wrong = whatWentWrong(fault, job, outage ? undefined : (calls[job.id] ?? 0), submitted[i].read, prompt(i));
      if (wrong !== undefined) {
        tally.wrong++;
        if (tally.problems.length < 3) tally.problems.push(`${fault.name} ${job.id}: ${wrong}; it is ${job.status} after ${trailOf(job).join(', ')} (${job.error?.code ?? 'no error'})`);
      }
    }
    if (fault.expected === 'wait' && tally.waited === 0) tally.problems.push(`${fault.name}: no job met the storm, so nothing was tested`);
    return tally;
  }

  it('ends every job: each falls back, or waits out a 429 storm, as configured; none stuck', async () => {
    const started = Date.now();
    const tallies = new Map<string, Tally>();
    const runTrack = async (track: Track): Promise<void> => {
      for (const fault of FAULTS.filter((f) => f.track === track)) tallies.set(fault.name, await runFault(fault));
    };
    await Promise.all([runTrack('plain'), runTrack('stream')]);

    // Nothing left behind anywhere: no job record short of an end, no entry waiting, running or delayed.
    const commands = new Redis(redis.url);
    let unfinished: number;
    try {
      const counts = await jobStatusCounts(commands);
      unfinished = (counts.queued ?? 0) + (counts.active ?? 0);
    } finally {
      commands.disconnect();
    }
    const providers = (await client.get('/v1/providers')).body as { data: Array<{ id: string; queue: { waiting: number; active: number; delayed: number } }> };
    const queued = providers.data.reduce((sum, p) => sum + p.queue.waiting + p.queue.active + p.queue.delayed, 0);

    const rows = [...tallies].sort(([a], [b]) => FAULTS.findIndex((f) => f.name === a) - FAULTS.findIndex((f) => f.name === b)).map(([name, t]) => {
      const how = FAULTS.find((fault) => fault.name === name)?.expected === 'wait' ? `${t.waited} waited` : `${t.fellBack} fell back`;
      return `${name} ${t.jobs} in ${t.seconds.toFixed(1)} s: ${t.succeeded} succeeded (${how}), ${t.failed} failed, ${t.stuck} stuck`;
    });
    const sum = (field: 'jobs' | 'stuck' | 'wrong' | 'primaryCalls'): number => [...tallies.values()].reduce((total, t) => total + t[field], 0);
    console.log(
      `chaos provider-faults: ${sum('jobs')} jobs in ${((Date.now() - started) / 1000).toFixed(1)} s; ${rows.join('; ')}; ` +
        `${sum('primaryCalls')} calls to the faulty primaries; ${sum('stuck')} stuck, ${unfinished} records unfinished, ` +
        `${queued} queue entries left, ${sum('wrong')} jobs otherwise than configured`,
    );
    assert.deepEqual([...tallies.values()].flatMap((t) => t.problems), []);
    assert.equal(sum('stuck'), 0);
    assert.equal(unfinished, 0);
    assert.equal(queued, 0);
  });
});
