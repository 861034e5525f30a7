import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppProcess, PrivateRedis } from '../../test/support';
import { readRecordTimings, waitForFinished } from '../completion';
import { BENCH_KEY, PREFIX, UPSTREAM_KEY } from '../config';
import { chatBody, httpLoad } from '../load';
import type { ProcessMonitor } from '../monitor';
import { startApi, startMockUpstream, startWorker } from '../processes';
import { atLeast, info, type Row } from '../report';
import { nowMs, round } from '../stats';

export interface ScaleOutOptions {
  redis: PrivateRedis;
  commands: Redis;
  connection: ConnectionOptions;
  monitor: ProcessMonitor;
  /** Worker processes per step, ascending; each step adds processes to the ones already running. */
  workerCounts: readonly number[];
  /** The mock provider's latency: what makes the provider, not the gateway, the bottleneck. */
  latencyMs: number;
  /** Provider calls in flight per worker process. */
  concurrency: number;
  /** Jobs per step: this many seconds of work at the step's ideal rate. */
  secondsPerStep: number;
  /** Before each measured step, an unmeasured one of this many seconds warms the worker just added. */
  warmUpSeconds: number;
  nodeArgs?: readonly string[];
}

export interface ScaleOutStep {
  workers: number;
  jobs: number;
  /** Jobs per second from the first job's start to the last one's end, from the records. */
  rate: number;
  /** workers × concurrency × 1000 / latency. */
  ideal: number;
  /** rate / the 1-worker rate. */
  speedUp: number;
  statuses: Record<string, number>;
  /** How fast the api accepted this step's jobs. */
  fillRate: number;
  fillRejected: Record<string, number>;
}

export interface ScaleOutResult {
  latencyMs: number;
  concurrency: number;
  steps: ScaleOutStep[];
  seconds: number;
}

const PROVIDER = 'scale';
const MODEL = 'gpt-scale';
const QUEUE = `provider.${PROVIDER}`;

/** One openai-family provider on the mock, `concurrency` calls per worker, no limits shared in Redis. */
function scaleConfig(mockProviderUrl: string, concurrency: number): string {
  return `server:
  host: 127.0.0.1
redis:
  prefix: ${PREFIX}
auth:
  keys:
    - name: bench
      key: ${BENCH_KEY}
providers:
  ${PROVIDER}:
    type: openai
    base_url: ${mockProviderUrl}/v1
    api_key: ${UPSTREAM_KEY}
    timeout_ms: 30000
    retries: 0
    concurrency: ${concurrency}
models:
  ${MODEL}:
    targets: [{ provider: ${PROVIDER}, model: gpt-4o-mini }]
    cache: { mode: never }
retention:
  succeeded_s: 3600
  failed_s: 3600
  # Each step counts completed entries to know when the queue drained, so none may be trimmed.
  queue_max_completed: 1000000
`;
}

/**
 * (j) Throughput against worker processes when the provider is the bottleneck: a 100 ms mock
 * provider, each worker making `concurrency` calls at a time, so one worker's ideal is
 * concurrency × 1000 / latency jobs/s and N workers' N times that. Per step the queue is paused,
 * the step's workers are started (added to the previous step's), the jobs are submitted through
 * the api, and the queue is resumed: the timing starts with every worker ready and the whole
 * backlog waiting, so start-up and submission are outside it. A short unmeasured round first
 * warms the new worker, whose first calls (code not yet optimized) would weigh on its step alone.
 */
export async function scaleOut(options: ScaleOutOptions): Promise<ScaleOutResult> {
  const started = nowMs();
  const upstream = await startMockUpstream(options.latencyMs, UPSTREAM_KEY);
  options.monitor.track('mock-provider (j)', upstream.process.pid);
  const yaml = scaleConfig(upstream.baseUrl, options.concurrency);
  const api = await startApi(options.redis, yaml, options.nodeArgs);
  options.monitor.track('api (j)', api.process.pid);
  const queue = new Queue(QUEUE, { connection: options.connection, prefix: PREFIX });
  const workers: AppProcess[] = [];
  const steps: ScaleOutStep[] = [];
  /** Pauses the queue, submits `jobs` through the api, resumes it and waits until they are done. */
  const drainRound = async (jobs: number, ideal: number) => {
    await queue.pause();
    const fill = await httpLoad({
      baseUrl: api.baseUrl,
      key: BENCH_KEY,
      method: 'POST',
      path: '/v1/jobs',
      body: chatBody(MODEL),
      expectStatus: 202,
      concurrency: 50,
      maxRequests: jobs,
      maxSeconds: 60,
    });
    const before = await queue.getJobCounts('completed', 'failed');
    const target = (before.completed ?? 0) + (before.failed ?? 0) + fill.ids.length;
    await queue.resume();
    await waitForFinished(queue, target, Math.max(60_000, (fill.ids.length / ideal) * 10_000));
    return { fill, timings: await readRecordTimings(options.commands, PREFIX, fill.ids) };
  };
  try {
    for (const count of options.workerCounts) {
      // Paused while the new worker starts, so the jobs of the round below wait for all of them.
      await queue.pause();
      while (workers.length < count) {
        const label = `worker (j${workers.length + 1})`;
        const worker = await startWorker(options.redis, yaml, `worker-j${workers.length + 1}`, options.nodeArgs);
        options.monitor.track(label, worker.pid);
        workers.push(worker);
      }
      const ideal = (count * options.concurrency * 1000) / options.latencyMs;
      await drainRound(Math.round(ideal * options.warmUpSeconds), ideal);
      const { fill, timings } = await drainRound(Math.round(ideal * options.secondsPerStep), ideal);
      const first = steps[0]?.rate ?? timings.rate;
      steps.push({
        workers: count,
        jobs: fill.ids.length,
        rate: timings.rate,
        ideal,
        speedUp: timings.rate / first,
        statuses: timings.statuses,
        fillRate: fill.rate,
        fillRejected: fill.rejected,
      });
    }
  } finally {
    await queue.close();
    await Promise.all([...workers, api.process, upstream.process].map((proc) => proc.kill('SIGTERM', 15_000)));
  }
  return { latencyMs: options.latencyMs, concurrency: options.concurrency, steps, seconds: (nowMs() - started) / 1000 };
}

export function scaleOutRows(result: ScaleOutResult): Row[] {
  const rows: Row[] = [];
  for (const step of result.steps) {
    const what = `completed, ${step.workers} worker${step.workers === 1 ? '' : 's'}, ${result.latencyMs} ms provider, ${result.concurrency} calls each (${step.jobs} jobs)`;
    rows.push(atLeast('j', what, step.rate, 'jobs/s', 0.85 * step.ideal, step.ideal, `≥ 0.85 × ${step.ideal}/s`));
    if (step.workers > 1) rows.push(info('j', `speed-up, ${step.workers} workers vs 1 (ideal ${step.workers}×)`, round(step.speedUp, 2), '×'));
  }
  return rows;
}

/** A throughput figure only means something if the jobs really succeeded. */
export function scaleOutWarnings(result: ScaleOutResult): string[] {
  const warnings: string[] = [];
  for (const step of result.steps) {
    if ((step.statuses.succeeded ?? 0) !== step.jobs) warnings.push(`(j) ${step.workers} worker(s): not every job succeeded: ${JSON.stringify(step.statuses)}`);
    if (Object.keys(step.fillRejected).length > 0) warnings.push(`(j) ${step.workers} worker(s): submits rejected ${JSON.stringify(step.fillRejected)}`);
  }
  return warnings;
}
