import { Pool } from 'undici';
import { nowMs, summarize, type LatencySummary } from './stats';

export interface LoadOptions {
  baseUrl: string;
  /** Sent as a bearer token when given. */
  key?: string;
  method: 'GET' | 'POST';
  path: string;
  /** JSON body of every request. */
  body?: string;
  /** Extra request headers (e.g. Portkey's routing headers). */
  headers?: Record<string, string>;
  /** Keep the `id` of each JSON answer (default: for POST, where it is a job id). */
  collectIds?: boolean;
  /** Return every latency too (`samplesMs`), to merge runs. */
  keepSamples?: boolean;
  /** The status that counts as a success (202 for POST /v1/jobs). */
  expectStatus: number;
  /** Concurrent client loops, each with its own keep-alive connection. */
  concurrency: number;
  /** Stop after this many requests were sent... */
  maxRequests: number;
  /** ...or after this long, whichever comes first. */
  maxSeconds: number;
}

export interface LoadResult {
  /** Requests answered with the expected status. */
  ok: number;
  /** Other statuses and transport errors, by status (or "error"). */
  rejected: Record<string, number>;
  /** Ids of the answers, when `collectIds` (POST /v1/jobs: the jobs created). */
  ids: string[];
  /** From the first request sent to the last answer received. */
  seconds: number;
  /** ok / seconds. */
  rate: number;
  /** Per-request latency of the successful requests. */
  latencyMs: LatencySummary;
  /** The latencies themselves, with `keepSamples`. */
  samplesMs?: number[];
}

interface JobIdBody {
  id?: unknown;
}

/**
 * `concurrency` loops each send requests back to back over a shared undici pool until the
 * request or time budget is spent: a closed-loop load, so the rate is what the server sustains.
 */
export async function httpLoad(options: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(options.baseUrl, { connections: options.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const wantIds = options.collectIds ?? options.method === 'POST';
  const ids: string[] = [];
  const latencies: number[] = [];
  const rejected: Record<string, number> = {};
  let sent = 0;
  const start = nowMs();
  const deadline = start + options.maxSeconds * 1000;
  let lastAnswer = start;

  const loop = async (): Promise<void> => {
    while (sent < options.maxRequests && nowMs() < deadline) {
      sent++;
      const t0 = nowMs();
      try {
        const res = await pool.request({ path: options.path, method: options.method, headers, body: options.body });
        const text = await res.body.text();
        const t1 = nowMs();
        lastAnswer = Math.max(lastAnswer, t1);
        if (res.statusCode === options.expectStatus) {
          latencies.push(t1 - t0);
          if (wantIds) {
            const id = (JSON.parse(text) as JobIdBody).id;
            if (typeof id === 'string') ids.push(id);
          }
        } else {
          rejected[String(res.statusCode)] = (rejected[String(res.statusCode)] ?? 0) + 1;
        }
      } catch {
        lastAnswer = Math.max(lastAnswer, nowMs());
        rejected.error = (rejected.error ?? 0) + 1;
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: options.concurrency }, loop));
  } finally {
    await pool.close();
  }
  const seconds = (lastAnswer - start) / 1000;
  const samples = options.keepSamples ? { samplesMs: latencies } : {};
  return { ok: latencies.length, rejected, ids, seconds, rate: latencies.length / seconds, latencyMs: summarize(latencies), ...samples };
}

export function chatBody(model: string, content = 'Benchmark prompt: say hello.'): string {
  return JSON.stringify({ model, messages: [{ role: 'user', content }] });
}
