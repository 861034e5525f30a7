import { TERMINAL_JOB_STATUSES, type JobObject } from '@switchyard/contracts';
import { EXIT } from '../cli-context';
import { CliError } from '../cli-error';
import type { GatewayClient } from '../gateway-client';

/** Under the gateway's default long_poll_max_s (60), so each poll returns before any proxy gives up. */
const POLL_WAIT_S = 25;

/** Long-polls GET /v1/jobs/:id until the job ends. */
export async function waitForJob(client: GatewayClient, id: string): Promise<JobObject> {
  const path = `/v1/jobs/${encodeURIComponent(id)}`;
  let waitS = POLL_WAIT_S;
  for (;;) {
    let job: JobObject;
    try {
      job = await client.request<JobObject>('GET', `${path}?wait=${waitS}`);
    } catch (error) {
      // A gateway configured with a shorter long_poll_max_s refuses our wait: poll in 1 s steps instead.
      if (!(error instanceof CliError) || error.exitCode !== EXIT.rejected || waitS === 1) throw error;
      waitS = 1;
      continue;
    }
    if (TERMINAL_JOB_STATUSES.has(job.status)) return job;
  }
}

/** A job that ended without a result is a rejection a script must see; queued, active and succeeded are fine. */
export function jobExitCode(job: JobObject): number {
  return job.status === 'failed' || job.status === 'canceled' || job.status === 'expired' ? EXIT.rejected : EXIT.ok;
}
