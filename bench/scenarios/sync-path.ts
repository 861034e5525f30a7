import type { Redis } from 'ioredis';
import { jobStatusCounts, type PrivateRedis } from '../../test/support';
import { BENCH_KEY, UPSTREAM_KEY } from '../config';
import { chatBody, httpLoad, type LoadResult } from '../load';
import type { CpuShare, ProcessMonitor } from '../monitor';
import { startApi, startMockUpstream, startPortkey, startWorker } from '../processes';
import { atLeast, atMost, info, type Row } from '../report';
import { round, summarize } from '../stats';

const SYNC_PREFIX = 'sync';
const PROVIDER = 'upstream';
/** One body for all three targets: Switchyard routes this public name to the same upstream model. */
const MODEL = 'gpt-4o-mini';
const BODY = chatBody(MODEL);
/** Issue 6's target for Switchyard's p50 minus the direct p50 at 1 client. */
const ADDED_P50_TARGET_MS = 1.5;

const TARGETS = ['direct', 'switchyard', 'portkey'] as const;
export type SyncTarget = (typeof TARGETS)[number];

const LABEL: Record<SyncTarget, string> = {
  direct: 'direct to the mock provider',
  switchyard: 'Switchyard (api + worker, one durable job each)',
  portkey: 'Portkey gateway',
};

export interface SyncPathOptions {
  redis: PrivateRedis;
  monitor: ProcessMonitor;
  /** Client counts to measure at, e.g. [1, 50]. */
  concurrencies: readonly number[];
  /** Unmeasured load per target before its first round at a client count. */
  warmupSeconds: number;
  /** Measured time per target and client count, split over `rounds`. */
  seconds: number;
  /**
   * The targets take turns, `rounds` times, so that a burst of other work on a shared machine
   * lands on all three rather than on whichever ran then.
   */
  rounds: number;
  /** Worker concurrency of the upstream provider (at least the largest client count). */
  workerConcurrency: number;
  nodeArgs?: readonly string[];
}

/** Where a Switchyard request's time went, from its job record (means; the record keeps whole ms). */
export interface JobPhases {
  jobs: number;
  /** created_at → started_at: in the api after the record was written, on the queue, in the worker before the call. */
  queuedMs: number;
  /** started_at → finished_at: the provider call and writing the result. */
  runningMs: number;
}

export interface SyncRun {
  target: SyncTarget;
  clients: number;
  result: LoadResult;
  cpu: CpuShare;
  /** Switchyard only: the job records of the measured requests. */
  jobPhases?: JobPhases;
}

export interface SyncPathResult {
  runs: SyncRun[];
  /** Requests Switchyard answered 200 (warm-ups included) and its job records that say succeeded. */
  switchyardAnswered: number;
  switchyardJobsSucceeded: number;
}

function syncConfig(upstreamUrl: string, workerConcurrency: number): string {
  return `server: { host: 127.0.0.1 }
redis: { prefix: ${SYNC_PREFIX} }
auth:
  keys:
    - { name: bench, key: ${BENCH_KEY} }
providers:
  ${PROVIDER}:
    type: openai
    base_url: ${upstreamUrl}/v1
    api_key: ${UPSTREAM_KEY}
    timeout_ms: 30000
    concurrency: ${workerConcurrency}
models:
  ${MODEL}:
    targets: [{ provider: ${PROVIDER}, model: ${MODEL} }]
    # Every request is a provider call, as through the other two.
    cache: { mode: never }
`;
}

type Window = readonly [from: number, to: number];

/** The job records (`<prefix>:job:<id>`, not their sub-keys) of the run. */
async function jobKeys(commands: Redis): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of commands.scanStream({ match: `${SYNC_PREFIX}:job:*`, count: 1000 }) as AsyncIterable<string[]>) {
    keys.push(...batch.filter((key) => key.split(':').length === 3));
  }
  return keys;
}

/** The phases of the jobs created within the windows (epoch ms). */
async function jobPhases(commands: Redis, windows: readonly Window[]): Promise<JobPhases> {
  const keys = await jobKeys(commands);
  let jobs = 0;
  let queued = 0;
  let running = 0;
  for (let i = 0; i < keys.length; i += 1000) {
    const pipeline = commands.pipeline();
    for (const key of keys.slice(i, i + 1000)) pipeline.hmget(key, 'created_at', 'started_at', 'finished_at');
    for (const [error, value] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      const [created, started, finished] = (value as Array<string | null>).map(Number);
      if (created === undefined || started === undefined || finished === undefined) continue;
      if (!windows.some(([from, to]) => created >= from && created <= to) || Number.isNaN(started + finished)) continue;
      jobs++;
      queued += started - created;
      running += finished - started;
    }
  }
  return { jobs, queuedMs: queued / jobs, runningMs: running / jobs };
}

/** The rounds of one target as one run (without the samples, which would swell the results file). */
function merged(rounds: readonly LoadResult[]): LoadResult {
  const rejected: Record<string, number> = {};
  for (const part of rounds) for (const [status, count] of Object.entries(part.rejected)) rejected[status] = (rejected[status] ?? 0) + count;
  const ok = rounds.reduce((sum, part) => sum + part.ok, 0);
  const seconds = rounds.reduce((sum, part) => sum + part.seconds, 0);
  return { ok, rejected, ids: [], seconds, rate: ok / seconds, latencyMs: summarize(rounds.flatMap((part) => part.samplesMs ?? [])) };
}

/** Rounds of equal length: the mean of their CPU shares. */
function meanShare(shares: readonly CpuShare[]): CpuShare {
  const total: CpuShare = {};
  for (const share of shares) for (const [name, value] of Object.entries(share)) total[name] = (total[name] ?? 0) + value / shares.length;
  return Object.fromEntries(Object.entries(total).map(([name, value]) => [name, Math.round(value)]));
}

/**
 * (h) The synchronous path side by side, against one mock provider at 0 ms: `POST
 * /v1/chat/completions` direct to the mock, through Switchyard (the api queues a durable job, a
 * worker runs it, the api answers when it ends) and through the Portkey gateway (a stateless
 * proxy), at each client count: each warmed up, then taking turns for `rounds` rounds.
 */
export async function syncPath(options: SyncPathOptions): Promise<SyncPathResult> {
  const upstream = await startMockUpstream(0, UPSTREAM_KEY);
  options.monitor.track('mock-provider (h)', upstream.process.pid);
  const config = syncConfig(upstream.baseUrl, options.workerConcurrency);
  const [api, worker, portkey] = await Promise.all([
    startApi(options.redis, config, options.nodeArgs),
    startWorker(options.redis, config, 'worker-h', options.nodeArgs),
    startPortkey(),
  ]);
  options.monitor.track('api (h)', api.process.pid);
  options.monitor.track('worker (h)', worker.pid);
  options.monitor.track('portkey', portkey.process.pid);
  const commands = options.redis.client();

  const targets: Record<SyncTarget, { baseUrl: string; key: string; headers?: Record<string, string> }> = {
    direct: { baseUrl: upstream.baseUrl, key: UPSTREAM_KEY },
    switchyard: { baseUrl: api.baseUrl, key: BENCH_KEY },
    // Portkey forwards the bearer key to the provider it is told to call.
    portkey: {
      baseUrl: portkey.baseUrl,
      key: UPSTREAM_KEY,
      headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.baseUrl}/v1` },
    },
  };
  const load = (target: SyncTarget, clients: number, seconds: number): Promise<LoadResult> =>
    httpLoad({
      ...targets[target],
      method: 'POST',
      path: '/v1/chat/completions',
      body: BODY,
      collectIds: false,
      keepSamples: true,
      expectStatus: 200,
      concurrency: clients,
      maxRequests: Number.MAX_SAFE_INTEGER,
      maxSeconds: seconds,
    });

  try {
    const runs: SyncRun[] = [];
    let switchyardAnswered = 0;
    for (const clients of options.concurrencies) {
      const parts = new Map<SyncTarget, Array<{ result: LoadResult; cpu: CpuShare; window: Window }>>(TARGETS.map((t) => [t, []]));
      for (const target of TARGETS) {
        const warmup = await load(target, clients, options.warmupSeconds);
        if (target === 'switchyard') switchyardAnswered += warmup.ok;
      }
      for (let i = 0; i < options.rounds; i++) {
        for (const target of TARGETS) {
          const phase = options.monitor.cpuPhase();
          const from = Date.now();
          const result = await load(target, clients, options.seconds / options.rounds);
          parts.get(target)?.push({ result, cpu: phase(), window: [from, Date.now()] });
          if (target === 'switchyard') switchyardAnswered += result.ok;
        }
      }
      for (const target of TARGETS) {
        const rounds = parts.get(target) ?? [];
        const run: SyncRun = { target, clients, result: merged(rounds.map((r) => r.result)), cpu: meanShare(rounds.map((r) => r.cpu)) };
        if (target === 'switchyard') run.jobPhases = await jobPhases(commands, rounds.map((r) => r.window));
        runs.push(run);
        process.stderr.write(
          `[bench]     ${clients} client(s), ${LABEL[target]}: p50 ${round(run.result.latencyMs.p50, 2)} ms, ` +
            `p99 ${round(run.result.latencyMs.p99, 2)} ms, ${Math.round(run.result.rate)} req/s, rejected ${JSON.stringify(run.result.rejected)}\n`,
        );
      }
    }
    // Every answer must stand for a durable job whose record says succeeded.
    return { runs, switchyardAnswered, switchyardJobsSucceeded: (await jobStatusCounts(commands, SYNC_PREFIX)).succeeded ?? 0 };
  } finally {
    commands.disconnect();
    for (const name of ['api (h)', 'worker (h)', 'portkey', 'mock-provider (h)']) options.monitor.finalize(name);
    await Promise.all([api.process.kill('SIGTERM'), worker.kill('SIGTERM'), portkey.process.kill('SIGTERM'), upstream.process.kill('SIGTERM')]);
  }
}

function runOf(result: SyncPathResult, target: SyncTarget, clients: number): SyncRun {
  const run = result.runs.find((r) => r.target === target && r.clients === clients);
  if (run === undefined) throw new Error(`sync path: no run for ${target} at ${clients} client(s)`);
  return run;
}

/** The two targets of issue 6, for the main table: added p50 at the fewest clients, req/s vs Portkey at the most. */
export function syncPathRows(result: SyncPathResult): Row[] {
  const fewest = Math.min(...result.runs.map((r) => r.clients));
  const most = Math.max(...result.runs.map((r) => r.clients));
  const added = runOf(result, 'switchyard', fewest).result.latencyMs.p50 - runOf(result, 'direct', fewest).result.latencyMs.p50;
  const portkeyRate = runOf(result, 'portkey', most).result.rate;
  return [
    info('h', `sync path, ${fewest} client: direct p50`, runOf(result, 'direct', fewest).result.latencyMs.p50, 'ms'),
    atMost('h', `sync path, ${fewest} client: Switchyard's added p50`, added, 'ms', ADDED_P50_TARGET_MS, `≤ ${ADDED_P50_TARGET_MS} ms`),
    atLeast('h', `sync path, ${most} clients: Switchyard req/s vs Portkey`, runOf(result, 'switchyard', most).result.rate, 'req/s', portkeyRate, portkeyRate, '≥ Portkey'),
  ];
}

/** Every run side by side: p50, p99 and req/s per target and client count, with the CPU each process used. */
export function renderSyncPathTable(result: SyncPathResult): string {
  const header = ['clients', 'target', 'p50 ms', 'p99 ms', 'req/s', 'CPU % of a core'];
  const cells = result.runs.map((run) => [
    String(run.clients),
    LABEL[run.target],
    round(run.result.latencyMs.p50, 2).toFixed(2),
    round(run.result.latencyMs.p99, 2).toFixed(2),
    Math.round(run.result.rate).toLocaleString('en-US'),
    Object.entries(run.cpu)
      .filter(([, share]) => share >= 5)
      .map(([name, share]) => `${name} ${share}`)
      .join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const numeric = new Set([0, 2, 3, 4]);
  const line = (row: readonly string[]) =>
    row.map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const phases = result.runs.flatMap((run) =>
    run.jobPhases === undefined
      ? []
      : [
          `Switchyard, ${run.clients} client(s), job records of ${run.jobPhases.jobs} requests (means): created → started ` +
            `${round(run.jobPhases.queuedMs, 2)} ms, started → finished ${round(run.jobPhases.runningMs, 2)} ms; the rest is the api before the record and after the end.`,
        ],
  );
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line), ...phases].join('\n');
}

/** Problems that make the figures meaningless: rejected requests, or answers that were not all jobs. */
export function syncPathWarnings(result: SyncPathResult): string[] {
  const warnings = result.runs
    .filter((run) => Object.keys(run.result.rejected).length > 0)
    .map((run) => `(h) ${run.target}, ${run.clients} client(s): rejected ${JSON.stringify(run.result.rejected)}`);
  if (result.switchyardJobsSucceeded < result.switchyardAnswered) {
    warnings.push(`(h) Switchyard answered ${result.switchyardAnswered} requests but only ${result.switchyardJobsSucceeded} job records say succeeded`);
  }
  return warnings;
}
