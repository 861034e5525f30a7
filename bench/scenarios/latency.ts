import { Pool } from 'undici';
import { nowMs, summarize, type LatencySummary } from '../stats';

export interface RoundTripOptions {
  baseUrl: string;
  key: string;
  body: string;
  jobs: number;
  waitS: number;
}

export interface RoundTripResult {
  jobs: number;
  succeeded: number;
  /** POST /v1/jobs alone. */
  submitMs: LatencySummary;
  /** GET /v1/jobs/:id?wait= alone. */
  waitMs: LatencySummary;
  /** Both: what a client sees from submit to result. */
  roundTripMs: LatencySummary;
}

interface JobBody {
  id?: unknown;
  status?: unknown;
}

/** (e) One job at a time: submit, then long-poll it to its end. */
export async function roundTrips(options: RoundTripOptions): Promise<RoundTripResult> {
  const pool = new Pool(options.baseUrl, { connections: 1, keepAliveTimeout: 30_000 });
  const headers = { authorization: `Bearer ${options.key}` };
  const submit: number[] = [];
  const wait: number[] = [];
  const total: number[] = [];
  let succeeded = 0;
  try {
    for (let i = 0; i < options.jobs; i++) {
      const t0 = nowMs();
      const posted = await pool.request({
        path: '/v1/jobs',
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: options.body,
      });
      const created = (await posted.body.json()) as JobBody;
      if (posted.statusCode !== 202 || typeof created.id !== 'string') {
        throw new Error(`POST /v1/jobs answered ${posted.statusCode}: ${JSON.stringify(created)}`);
      }
      const t1 = nowMs();
      const got = await pool.request({ path: `/v1/jobs/${created.id}?wait=${options.waitS}`, method: 'GET', headers });
      const job = (await got.body.json()) as JobBody;
      const t2 = nowMs();
      if (job.status === 'succeeded') succeeded++;
      submit.push(t1 - t0);
      wait.push(t2 - t1);
      total.push(t2 - t0);
    }
  } finally {
    await pool.close();
  }
  return { jobs: options.jobs, succeeded, submitMs: summarize(submit), waitMs: summarize(wait), roundTripMs: summarize(total) };
}
