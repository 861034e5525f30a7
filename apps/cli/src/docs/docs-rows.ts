import type { ChatCompletion, JobObject } from '@switchyard/contracts';
import type { OutputRow } from './output-row';

/** Where a row belongs: its kind, document and chunk. */
export type RowPlace = Pick<OutputRow, 'kind' | 'source' | 'chunk_index' | 'chunk_id'>;

/** A row for a job that ended: its answer, or why there is none. */
export function rowFromJob(place: RowPlace, job: JobObject): OutputRow {
  const succeeded = job.status === 'succeeded';
  const completion = job.type === 'chat' ? (job.result as ChatCompletion | null) : null;
  const usage = job.usage ? { prompt_tokens: job.usage.prompt_tokens, completion_tokens: job.usage.completion_tokens, total_tokens: job.usage.total_tokens } : null;
  return {
    ...place,
    status: succeeded ? 'succeeded' : 'failed',
    result: completion?.choices[0]?.message.content ?? null,
    provider: job.provider,
    model: job.provider_model,
    usage,
    cost_usd: job.cost_usd,
    error: succeeded ? null : (job.error?.message ?? `the job ended ${job.status}`),
    job_id: job.id,
  };
}

/** A row for something that never became a finished job (an unreadable file, a refused submit). */
export function failedRow(place: RowPlace, error: string, jobId: string | null = null): OutputRow {
  return { ...place, status: 'failed', result: null, provider: null, model: null, usage: null, cost_usd: null, error, job_id: jobId };
}
