import type { Command } from 'commander';
import type { JobObject } from '@switchyard/contracts';
import type { CliContext } from '../cli-context';
import { GatewayClient } from '../gateway-client';
import { parsePositiveInt } from '../option-parsers';
import { emit } from '../output';
import { buildJobBody, type JobBodyOptions } from './job-body';
import { describeJob } from './job-view';
import { jobExitCode, waitForJob } from './wait-for-job';

function jobPath(id: string): string {
  return `/v1/jobs/${encodeURIComponent(id)}`;
}

/** `switchyard jobs submit|get|wait|cancel`. */
export function registerJobsCommands(program: Command, context: () => CliContext): void {
  const jobs = program.command('jobs').description('submit one job, follow it, cancel it');

  const show = (job: JobObject): void => {
    emit(context(), job, describeJob);
    process.exitCode = jobExitCode(job);
  };

  jobs
    .command('submit')
    .description('submit a chat job (POST /v1/jobs)')
    .argument('[prompt]', 'the user message; - reads it from stdin')
    .option('-m, --model <model>', 'model or alias to run it on')
    .option('-b, --body <file>', 'a JSON job body; --model replaces its model, the prompt is appended as a user message')
    .option('--priority <n>', 'queue priority, 1 (most urgent) to 10', parsePositiveInt)
    .option('--idempotency-key <key>', 'a repeat with the same key returns the first job')
    .option('-w, --wait', 'wait for the job to end and print it')
    .action(async (prompt: string | undefined, options: JobBodyOptions & { wait?: boolean }) => {
      const client = new GatewayClient(context());
      const job = await client.request<JobObject>('POST', '/v1/jobs', await buildJobBody(prompt, options));
      show(options.wait ? await waitForJob(client, job.id) : job);
    });

  jobs
    .command('get')
    .description('print a job as it is now')
    .argument('<id>', 'job id')
    .action(async (id: string) => show(await new GatewayClient(context()).request<JobObject>('GET', jobPath(id))));

  jobs
    .command('wait')
    .description('wait until a job ends, then print it')
    .argument('<id>', 'job id')
    .action(async (id: string) => show(await waitForJob(new GatewayClient(context()), id)));

  jobs
    .command('cancel')
    .description('cancel a job that has not ended')
    .argument('<id>', 'job id')
    .action(async (id: string) => {
      const job = await new GatewayClient(context()).request<JobObject>('POST', `${jobPath(id)}/cancel`);
      emit(context(), job, describeJob);
    });
}
