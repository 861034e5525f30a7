/**
 * Switchyard benchmark: `npm run bench` (`--quick` for a smaller, faster run).
 *
 * Against a private redis-server (AOF everysec, noeviction, like production) and the real apps as
 * child processes, it measures:
 *   (a) the raw BullMQ floor: Queue.add and a no-op Worker, with the gateway's job options;
 *   (b0) GET /healthz per second: the HTTP floor of the api process (Nest + Fastify);
 *   (b) POST /v1/jobs accepted per second, 50 concurrent clients, api alone (acceptance only);
 *   (c) jobs completed per second by one worker process on a 0 ms provider (queue pre-filled by b);
 *   (d) the same with a 200 ms provider at concurrency 200 (ideal: 1000/s), in-process mock;
 *   (d2) the same through the HTTP adapter to apps/mock-provider (openai family, 200 ms);
 *   (e) submit + GET ?wait= round-trip latency, one job at a time, api + worker, 0 ms provider;
 *   (f) peak RSS of every api and worker process;
 *   (g) a soak with short retention: Redis memory stays flat;
 *   (h) the sync path side by side: POST /v1/chat/completions direct to a 0 ms mock provider,
 *       through Switchyard (a durable job each) and through the Portkey gateway, at 1 and 50 clients;
 *   (i) one POST /v1/files of a generated 200 MB batch JSONL: peak RSS of the api process;
 *   (j) scale-out: jobs/s drained by 1, 2, 3 and 4 worker processes from a 100 ms provider at 8
 *       calls per worker (ideal: 80/s per worker), and the speed-up over one worker.
 * It prints a table with PASS/MISS per target and writes bench/results/<timestamp>.json.
 *
 * Flags: --quick (smaller sizes, ~15 s); --cpu-prof (api and workers write V8 CPU profiles to
 * bench/results/profiles-<timestamp>/, to open in Chrome DevTools or summarize);
 * --app-flag=<node flag> (repeatable) passes a flag to the api and worker processes, e.g.
 * --app-flag=--max-old-space-size=192; --only sync runs phase (h) alone, --only scale phase (j).
 */
import { join } from 'node:path';
import type { ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { PrivateRedis, repoRoot, stopAll, type AppProcess } from '../test/support';
import { BENCH_KEY, MODEL_OF, UPSTREAM_KEY, benchConfig, type BenchConfigOptions, type BenchProvider } from './config';
import { chatBody, httpLoad, type LoadResult } from './load';
import { describeMachine, machineInfo } from './machine';
import { ProcessMonitor, type CpuShare } from './monitor';
import { startApi, startMockUpstream } from './processes';
import { atLeast, atMost, info, renderTable, writeResults, type Row } from './report';
import { drain, type DrainResult } from './scenarios/drain';
import { roundTrips } from './scenarios/latency';
import { rawBullmq } from './scenarios/raw-bullmq';
import { soak } from './scenarios/soak';
import { largeUpload, uploadOnly, uploadRows } from './scenarios/upload';
import { renderSyncPathTable, syncPath, syncPathRows, syncPathWarnings, type SyncPathResult } from './scenarios/sync-path';
import { scaleOut, scaleOutRows, scaleOutWarnings, type ScaleOutResult } from './scenarios/scale-out';
import { round } from './stats';

interface Params {
  rawJobs: number;
  rawAddConcurrency: number;
  rawWorkerConcurrency: number;
  warmupJobs: number;
  submitConcurrency: number;
  healthzSeconds: number;
  submitMaxJobs: number;
  submitMaxSeconds: number;
  echoConcurrency: number;
  slowJobs: number;
  slowDelayMs: number;
  slowConcurrency: number;
  roundTrips: number;
  rssLimitMB: number;
  soakJobs: number;
  syncClients: number[];
  syncWarmupSeconds: number;
  syncSeconds: number;
  syncRounds: number;
  uploadMB: number;
  uploadRssLimitMB: number;
  scaleWorkers: number[];
  scaleLatencyMs: number;
  scaleConcurrency: number;
  scaleSecondsPerStep: number;
  scaleWarmUpSeconds: number;
}

const FULL: Params = {
  rawJobs: 50_000,
  rawAddConcurrency: 50,
  rawWorkerConcurrency: 100,
  warmupJobs: 1_000,
  submitConcurrency: 50,
  healthzSeconds: 3,
  submitMaxJobs: 100_000,
  submitMaxSeconds: 10,
  echoConcurrency: 100,
  slowJobs: 10_000,
  slowDelayMs: 200,
  slowConcurrency: 200,
  roundTrips: 500,
  rssLimitMB: 200,
  soakJobs: 100_000,
  syncClients: [1, 50],
  syncWarmupSeconds: 2,
  syncSeconds: 5,
  syncRounds: 5,
  uploadMB: 200,
  uploadRssLimitMB: 300,
  scaleWorkers: [1, 2, 3, 4],
  scaleLatencyMs: 100,
  scaleConcurrency: 8,
  scaleSecondsPerStep: 5,
  scaleWarmUpSeconds: 1,
};

const QUICK: Params = { ...FULL, rawJobs: 5_000, warmupJobs: 300, submitMaxJobs: 5_000, submitMaxSeconds: 4, healthzSeconds: 2, slowJobs: 2_000, roundTrips: 100, soakJobs: 10_000, syncWarmupSeconds: 1, syncSeconds: 2, syncRounds: 2, scaleSecondsPerStep: 3 };

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function perSecond(value: number): string {
  return `${Math.round(value).toLocaleString('en-US')}/s`;
}

async function stopProcess(proc: AppProcess, monitor: ProcessMonitor, label: string): Promise<void> {
  monitor.finalize(label);
  await proc.kill('SIGTERM', 15_000);
}

/** `--only <phase>` or `--only=<phase>`; undefined without the flag. */
function onlyPhase(argv: readonly string[]): string | undefined {
  const at = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  const arg = argv[at];
  if (arg === undefined) return undefined;
  return arg === '--only' ? (argv[at + 1] ?? '') : arg.slice('--only='.length);
}

/** (h) against a private Redis, for `--only sync`. */
async function syncOnly(params: Params, quick: boolean, nodeArgs: readonly string[]): Promise<void> {
  const machine = machineInfo();
  log(describeMachine(machine));
  const started = Date.now();
  const monitor = new ProcessMonitor(200);
  const redis = await PrivateRedis.start({ appendonly: true });
  if (redis.pid !== undefined) monitor.track('redis', redis.pid);
  try {
    const sync = await runSyncPath(redis, monitor, params, nodeArgs);
    const rows = syncPathRows(sync);
    const warnings = syncPathWarnings(sync);
    const misses = rows.filter((r) => r.verdict === 'MISS').length;
    const elapsed = (Date.now() - started) / 1000;
    process.stdout.write(`\nSwitchyard benchmark, sync path only${quick ? ' (--quick)' : ''}\n${describeMachine(machine)}\n\n`);
    process.stdout.write(`${renderSyncPathTable(sync)}\n\n${renderTable(rows)}\n\n`);
    for (const warning of warnings) process.stdout.write(`WARNING ${warning}\n`);
    const path = writeResults(repoRoot, { timestamp: new Date().toISOString(), quick, only: 'sync', seconds: round(elapsed, 1), machine, params, sync, rows, misses, warnings });
    process.stdout.write(`${misses === 0 ? 'all targets met' : `${misses} target(s) missed`}; ${round(elapsed, 1)} s; results in ${path}\n`);
  } finally {
    await stopAll(5_000);
    await redis.stop();
  }
}

async function runSyncPath(redis: PrivateRedis, monitor: ProcessMonitor, params: Params, nodeArgs: readonly string[]): Promise<SyncPathResult> {
  log(`(h) sync path: POST /v1/chat/completions direct, through Switchyard and through Portkey at ${params.syncClients.join(' and ')} clients, ${params.syncWarmupSeconds} s warm-up + ${params.syncSeconds} s each in ${params.syncRounds} turns`);
  const clients = Math.max(...params.syncClients);
  return syncPath({ redis, monitor, concurrencies: params.syncClients, warmupSeconds: params.syncWarmupSeconds, seconds: params.syncSeconds, rounds: params.syncRounds, workerConcurrency: 2 * clients, nodeArgs });
}

/** (j) against a private Redis, for `--only scale`. */
async function scaleOnly(params: Params, quick: boolean, nodeArgs: readonly string[]): Promise<void> {
  const machine = machineInfo();
  log(describeMachine(machine));
  const monitor = new ProcessMonitor(200);
  const redis = await PrivateRedis.start({ appendonly: true });
  const commands = redis.client();
  try {
    const scaled = await runScaleOut(redis, commands, monitor, params, nodeArgs);
    const rows = scaleOutRows(scaled);
    const warnings = scaleOutWarnings(scaled);
    const misses = rows.filter((r) => r.verdict === 'MISS').length;
    process.stdout.write(`\nSwitchyard benchmark, scale-out only${quick ? ' (--quick)' : ''}\n${describeMachine(machine)}\n\n${renderTable(rows)}\n\n`);
    for (const warning of warnings) process.stdout.write(`WARNING ${warning}\n`);
    const path = writeResults(repoRoot, { timestamp: new Date().toISOString(), quick, only: 'scale', seconds: round(scaled.seconds, 1), machine, params, scale: scaled, rows, misses, warnings });
    process.stdout.write(`${misses === 0 ? 'all targets met' : `${misses} target(s) missed`}; ${round(scaled.seconds, 1)} s; results in ${path}\n`);
  } finally {
    await stopAll(5_000);
    commands.disconnect();
    await redis.stop();
  }
}

async function runScaleOut(redis: PrivateRedis, commands: Redis, monitor: ProcessMonitor, params: Params, nodeArgs: readonly string[]): Promise<ScaleOutResult> {
  log(`(j) scale-out: ${params.scaleWorkers.join(', ')} worker processes drain a ${params.scaleLatencyMs} ms provider, ${params.scaleConcurrency} calls each, ${params.scaleSecondsPerStep} s of ideal work per step after ${params.scaleWarmUpSeconds} s of warm-up`);
  const connection: ConnectionOptions = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
  const scaled = await scaleOut({
    redis, commands, connection, monitor, nodeArgs,
    workerCounts: params.scaleWorkers,
    latencyMs: params.scaleLatencyMs,
    concurrency: params.scaleConcurrency,
    secondsPerStep: params.scaleSecondsPerStep,
    warmUpSeconds: params.scaleWarmUpSeconds,
  });
  for (const step of scaled.steps) log(`    ${step.workers} worker(s): ${perSecond(step.rate)} of ${perSecond(step.ideal)} ideal, ${round(step.speedUp, 2)}× one worker, statuses ${JSON.stringify(step.statuses)}`);
  return scaled;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const params = quick ? QUICK : FULL;
  const profileDir = process.argv.includes('--cpu-prof')
    ? join(repoRoot, 'bench', 'results', `profiles-${new Date().toISOString().replace(/[:.]/g, '-')}`)
    : undefined;
  const appFlags = process.argv.filter((a) => a.startsWith('--app-flag=')).map((a) => a.slice('--app-flag='.length));
  const nodeArgs = [...appFlags, ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`])];
  const only = onlyPhase(process.argv);
  if (only === 'upload') {
    process.stdout.write(`${renderTable(await uploadOnly(params.uploadMB, params.uploadRssLimitMB, nodeArgs))}\n`);
    return;
  }
  if (only === 'scale') {
    await scaleOnly(params, quick, nodeArgs);
    return;
  }
  if (only !== undefined) {
    if (only !== 'sync') throw new Error(`--only: unknown phase "${only}" (known: sync, upload, scale)`);
    await syncOnly(params, quick, nodeArgs);
    return;
  }
  const machine = machineInfo();
  log(describeMachine(machine));
  if (machine.cores < 4) {
    log(`only ${machine.cores} cores: redis, api, worker and this load generator share them, so the figures are CPU-bound`);
  }

  const started = Date.now();
  const monitor = new ProcessMonitor(200);
  monitor.start();
  const redis = await PrivateRedis.start({ appendonly: true });
  const commands = redis.client();
  const connection: ConnectionOptions = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
  if (redis.pid !== undefined) monitor.track('redis', redis.pid);
  const cpu: Record<string, CpuShare> = {};

  try {
    // (a) raw BullMQ floor, in this process.
    log(`(a) raw BullMQ: ${params.rawJobs} adds (${params.rawAddConcurrency} in flight), then a no-op worker (concurrency ${params.rawWorkerConcurrency})`);
    let phase = monitor.cpuPhase();
    const raw = await rawBullmq({
      connection,
      jobs: params.rawJobs,
      addConcurrency: params.rawAddConcurrency,
      workerConcurrency: params.rawWorkerConcurrency,
    });
    cpu.a = phase();
    log(`    add ${perSecond(raw.addRate)}, worker ${perSecond(raw.workerRate)}`);

    // The api serves every benchmark model; each worker gets only the provider its scenario tests.
    const upstream = await startMockUpstream(params.slowDelayMs, UPSTREAM_KEY);
    monitor.track('mock-provider', upstream.process.pid);
    const configFor = (providers: readonly BenchProvider[]): string => {
      const options: BenchConfigOptions = {
        providers,
        mockProviderUrl: upstream.baseUrl,
        echoConcurrency: params.echoConcurrency,
        slowDelayMs: params.slowDelayMs,
        slowConcurrency: params.slowConcurrency,
      };
      return benchConfig(options);
    };
    const api = await startApi(redis, configFor(['mock', 'mock-slow', 'upstream-slow']), nodeArgs);
    monitor.track('api', api.process.pid);
    const submit = (model: string, maxJobs: number, maxSeconds: number): Promise<LoadResult> =>
      httpLoad({
        baseUrl: api.baseUrl,
        key: BENCH_KEY,
        method: 'POST',
        path: '/v1/jobs',
        body: chatBody(model),
        expectStatus: 202,
        concurrency: params.submitConcurrency,
        maxRequests: maxJobs,
        maxSeconds,
      });

    // (b) acceptance: api alone, no worker. A short warm-up first (its jobs join the (c) backlog).
    const warmup = await submit(MODEL_OF.mock, params.warmupJobs, 30);
    // (b0) the HTTP floor of the same process: an unauthenticated GET /healthz.
    phase = monitor.cpuPhase();
    const healthz = await httpLoad({
      baseUrl: api.baseUrl,
      method: 'GET',
      path: '/healthz',
      expectStatus: 200,
      concurrency: params.submitConcurrency,
      maxRequests: Number.MAX_SAFE_INTEGER,
      maxSeconds: params.healthzSeconds,
    });
    cpu.b0 = phase();
    log(`(b0) GET /healthz, ${params.submitConcurrency} clients, ${params.healthzSeconds} s: ${perSecond(healthz.rate)}`);
    log(`(b) POST /v1/jobs, ${params.submitConcurrency} clients, up to ${params.submitMaxJobs} jobs or ${params.submitMaxSeconds} s (warm-up: ${warmup.ok} jobs)`);
    phase = monitor.cpuPhase();
    const accepted = await submit(MODEL_OF.mock, params.submitMaxJobs, params.submitMaxSeconds);
    cpu.b = phase();
    log(`    ${accepted.ok} accepted in ${round(accepted.seconds, 2)} s: ${perSecond(accepted.rate)}, rejected ${JSON.stringify(accepted.rejected)}`);

    // (c) one worker drains the backlog of (b) on the 0 ms provider.
    const echoIds = [...warmup.ids, ...accepted.ids];
    log(`(c) one worker drains ${echoIds.length} jobs, 0 ms provider, concurrency ${params.echoConcurrency}`);
    const echo = await drain({
      redis, commands, connection, monitor,
      label: 'worker (c)',
      queueName: 'provider.mock',
      ids: echoIds,
      workerConfig: configFor(['mock']),
      nodeArgs,
      timeoutMs: Math.max(60_000, echoIds.length * 10),
    });
    cpu.c = echo.cpu;
    log(`    ${perSecond(echo.rate)} (wall ${round(echo.wallSeconds, 1)} s with start-up), statuses ${JSON.stringify(echo.statuses)}`);

    // (e) round trips against api + that worker.
    log(`(e) ${params.roundTrips} sequential submit + GET ?wait=30 round trips`);
    phase = monitor.cpuPhase();
    const latency = await roundTrips({ baseUrl: api.baseUrl, key: BENCH_KEY, body: chatBody(MODEL_OF.mock), jobs: params.roundTrips, waitS: 30 });
    cpu.e = phase();
    log(`    p50 ${round(latency.roundTripMs.p50, 2)} ms, p99 ${round(latency.roundTripMs.p99, 2)} ms, ${latency.succeeded}/${latency.jobs} succeeded`);
    await stopProcess(echo.worker, monitor, 'worker (c)');

    // (d), (d2): 200 ms providers at concurrency 200, queue pre-filled through the API.
    const slowRuns: Array<{ key: 'd' | 'd2'; provider: BenchProvider; fill: LoadResult; result: DrainResult }> = [];
    for (const [key, provider] of [['d', 'mock-slow'], ['d2', 'upstream-slow']] as const) {
      const fill = await submit(MODEL_OF[provider], params.slowJobs, 120);
      log(`(${key}) one worker drains ${fill.ok} jobs on ${provider} (${params.slowDelayMs} ms, concurrency ${params.slowConcurrency}); filled at ${perSecond(fill.rate)}`);
      const label = `worker (${key})`;
      const result = await drain({
        redis, commands, connection, monitor, label,
        queueName: `provider.${provider}`,
        ids: fill.ids,
        workerConfig: configFor([provider]),
        nodeArgs,
        timeoutMs: Math.max(60_000, fill.ids.length * 5),
      });
      cpu[key] = result.cpu;
      log(`    ${perSecond(result.rate)} (wall ${round(result.wallSeconds, 1)} s with start-up), statuses ${JSON.stringify(result.statuses)}`);
      await stopProcess(result.worker, monitor, label);
      slowRuns.push({ key, provider, fill, result });
    }

    await stopProcess(api.process, monitor, 'api');
    await stopProcess(upstream.process, monitor, 'mock-provider');
    monitor.stop();
    const memory = monitor.peaks();

    // The table.
    const ideal = (1000 / params.slowDelayMs) * params.slowConcurrency;
    const rows: Row[] = [
      info('a', `raw Queue.add (${params.rawAddConcurrency} in flight)`, raw.addRate, 'jobs/s'),
      info('a', `raw no-op Worker (concurrency ${params.rawWorkerConcurrency})`, raw.workerRate, 'jobs/s'),
      info('b0', `GET /healthz (${params.submitConcurrency} clients): HTTP floor of the api`, healthz.rate, 'req/s'),
      atLeast('b', `POST /v1/jobs accepted (${params.submitConcurrency} clients, api only)`, accepted.rate, 'jobs/s', 0.5 * raw.addRate, raw.addRate, '≥ 0.5 × raw add'),
      atLeast('c', `completed, 1 worker, 0 ms provider (×${params.echoConcurrency})`, echo.rate, 'jobs/s', 0.5 * raw.workerRate, raw.workerRate, '≥ 0.5 × raw worker'),
    ];
    for (const run of slowRuns) {
      const what =
        run.key === 'd'
          ? `completed, 1 worker, ${params.slowDelayMs} ms mock (×${params.slowConcurrency})`
          : `same over HTTP: openai adapter → mock-provider`;
      rows.push(atLeast(run.key, what, run.result.rate, 'jobs/s', 0.85 * ideal, ideal, `≥ 0.85 × ${ideal}/s`));
    }
    rows.push(
      info('e', 'round trip submit + GET ?wait, p50', latency.roundTripMs.p50, 'ms'),
      info('e', 'round trip submit + GET ?wait, p99', latency.roundTripMs.p99, 'ms'),
    );
    for (const peak of memory) {
      if (peak.name === 'api' || peak.name.startsWith('worker')) {
        rows.push(atMost('f', `peak RSS ${peak.name} (${Math.round(peak.startMB)} MB when ready)`, peak.peakMB, 'MB', params.rssLimitMB, `≤ ${params.rssLimitMB} MB`));
      }
    }

    const warnings: string[] = [];
    log(`(g) soak: ${params.soakJobs} jobs at a steady pace with 5 s retention; Redis used_memory at the start, middle and end`);
    const soaked = await soak(redis, params.soakJobs, nodeArgs);
    const memoryMB = soaked.usedMemoryMB;
    rows.push(
      info('g', `soak: ${soaked.jobs.toLocaleString('en-US')} jobs in ${Math.round(soaked.seconds)} s, used_memory start`, memoryMB.start, 'MB'),
      info('g', 'soak: used_memory middle', memoryMB.middle, 'MB'),
      atMost('g', 'soak: used_memory end', memoryMB.end, 'MB', round(1.2 * memoryMB.middle, 1), '≤ 1.2 × middle'),
    );
    if (Object.keys(soaked.rejected).length > 0) warnings.push(`(g): rejected ${JSON.stringify(soaked.rejected)}`);

    const sync = await runSyncPath(redis, monitor, params, nodeArgs);
    rows.push(...syncPathRows(sync));
    warnings.push(...syncPathWarnings(sync));

    log(`(i) one POST /v1/files of a generated ${params.uploadMB} MB batch JSONL; api RSS sampled`);
    const upload = await largeUpload({ redis, monitor, megabytes: params.uploadMB, nodeArgs });
    rows.push(...uploadRows(upload, params.uploadRssLimitMB));

    const scaled = await runScaleOut(redis, commands, monitor, params, nodeArgs);
    rows.push(...scaleOutRows(scaled));
    warnings.push(...scaleOutWarnings(scaled));

    // A throughput figure only means something if the jobs really succeeded.
    const unfinished = [
      ['c', echo.statuses, echo.jobs],
      ...slowRuns.map((run) => [run.key, run.result.statuses, run.result.jobs] as const),
    ] as const;
    for (const [key, statuses, jobs] of unfinished) {
      if ((statuses.succeeded ?? 0) !== jobs) warnings.push(`(${key}): not every job succeeded: ${JSON.stringify(statuses)}`);
    }
    if (latency.succeeded !== latency.jobs) warnings.push(`(e): ${latency.jobs - latency.succeeded} of ${latency.jobs} jobs did not succeed`);
    for (const [key, result] of [['b', accepted], ['b0', healthz]] as const) {
      if (Object.keys(result.rejected).length > 0) warnings.push(`(${key}): rejected ${JSON.stringify(result.rejected)}`);
    }
    const misses = rows.filter((r) => r.verdict === 'MISS').length;
    const elapsed = (Date.now() - started) / 1000;
    const flagsNote = appFlags.length > 0 ? `; app flags: ${appFlags.join(' ')}` : '';
    process.stdout.write(`\nSwitchyard benchmark${quick ? ' (--quick)' : ''}${flagsNote}\n${describeMachine(machine)}\n\n${renderTable(rows)}\n\n`);
    process.stdout.write(`(h) sync path, side by side:\n${renderSyncPathTable(sync)}\n\n`);
    process.stdout.write(
      `submit latency under load (b): p50 ${round(accepted.latencyMs.p50, 2)} ms, p99 ${round(accepted.latencyMs.p99, 2)} ms; ` +
        `round trip (e): submit p50 ${round(latency.submitMs.p50, 2)} ms, wait p50 ${round(latency.waitMs.p50, 2)} ms\n`,
    );
    process.stdout.write(`CPU per phase, % of one core: ${Object.entries(cpu).map(([k, v]) => `(${k}) ${JSON.stringify(v)}`).join('; ')}\n`);
    for (const [key, share] of Object.entries(cpu)) {
      // In (a) this process is the system under test, not a load generator.
      if (key !== 'a' && (share.bench ?? 0) >= 90) process.stdout.write(`note: the load generator used ${share.bench}% of a core in (${key}): that figure is a lower bound\n`);
    }
    for (const warning of warnings) process.stdout.write(`WARNING ${warning}\n`);
    if (profileDir !== undefined) process.stdout.write(`CPU profiles: ${profileDir}\n`);
    process.stdout.write(`other peaks: ${memory.filter((m) => m.name !== 'api' && !m.name.startsWith('worker')).map((m) => `${m.name} ${m.peakMB} MB`).join(', ')}\n`);

    const path = writeResults(repoRoot, {
      timestamp: new Date().toISOString(),
      quick,
      appFlags,
      seconds: round(elapsed, 1),
      machine,
      params,
      raw,
      healthz: { ...healthz, ids: undefined },
      soak: soaked,
      submit: { ...accepted, ids: undefined, warmupJobs: warmup.ok },
      echo: { ...echo, worker: undefined },
      slow: slowRuns.map((run) => ({
        key: run.key,
        provider: run.provider,
        fillRate: run.fill.rate,
        fillRejected: run.fill.rejected,
        ...run.result,
        worker: undefined,
      })),
      roundTrip: latency,
      sync,
      upload,
      scale: scaled,
      memory,
      cpu,
      rows,
      misses,
      warnings,
    });
    process.stdout.write(`${misses === 0 ? 'all targets met' : `${misses} target(s) missed`}; ${round(elapsed, 1)} s; results in ${path}\n`);
  } finally {
    monitor.stop();
    await stopAll(5_000);
    commands.disconnect();
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
