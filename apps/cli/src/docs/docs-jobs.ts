import type { JobObject } from '@switchyard/contracts';
import type { GatewayClient } from '../gateway-client';

/** Seconds each long-poll waits for a job to end; under the gateway's default cap (60). */
const LONG_POLL_S = 20;

const TERMINAL = new Set<JobObject['status']>(['succeeded', 'failed', 'canceled', 'expired']);

export const isTerminal = (job: JobObject): boolean => TERMINAL.has(job.status);

/** One prompt to run as a job, under a key that makes its submit idempotent. */
export interface DocsCall {
  /** The chunk or reduce id; also the job's idempotency key. */
  id: string;
  prompt: string;
  metadata: Record<string, string>;
}

/**
 * Prompts as jobs (`POST /v1/jobs`, then long-polls). The chunk id is the Idempotency-Key, so the
 * gateway itself answers a resubmitted chunk with the job it already has: a run killed between
 * submitting and recording the job id still never pays for the chunk twice.
 */
export class DocsJobs {
  constructor(
    private readonly client: GatewayClient,
    private readonly model: string,
  ) {}

  /** The job for this call: new, or the one the gateway already holds for its id. */
  submit(call: DocsCall): Promise<JobObject> {
    return this.client.request<JobObject>('POST', '/v1/jobs', {
      model: this.model,
      messages: [{ role: 'user', content: call.prompt }],
      metadata: call.metadata,
      idempotency_key: call.id,
    });
  }

  /** A job that ended without a result, routed again (a rerun's second chance for a failed chunk). */
  retry(jobId: string): Promise<JobObject> {
    return this.client.request<JobObject>('POST', `/v1/jobs/${encodeURIComponent(jobId)}/retry`);
  }

  /** Long-polls until the job ends; `stopped()` ends the wait early (the last state is returned). */
  async settle(job: JobObject, stopped: () => boolean): Promise<JobObject> {
    let current = job;
    while (!isTerminal(current) && !stopped()) {
      current = await this.client.request<JobObject>('GET', `/v1/jobs/${encodeURIComponent(current.id)}?wait=${LONG_POLL_S}`);
    }
    return current;
  }
}
