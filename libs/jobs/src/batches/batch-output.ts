import type { BatchOutputLine, GatewayError } from '@switchyard/contracts';
import { jobOutcomeError } from '../interactive/job-outcome-error';
import type { BatchLineRef, JobRecord } from '../job-record';
import { lineJobId, lineRequestId } from './batch-id';
import type { LineOutcome } from './batch-store';

/** A line that ended without running (or before it finished), and why. */
export const UNRUN = {
  batch_expired: "The batch's completion window ended before this request finished.",
  batch_cancelled: 'The batch was cancelled before this request finished.',
  request_cancelled: 'This request was cancelled before it finished.',
} as const;
export type UnrunReason = keyof typeof UNRUN;

function failed(line: number, output: BatchOutputLine): LineOutcome {
  return { line, kind: 'failed', json: JSON.stringify(output) };
}

/**
 * A finished line job as its line of the output file (it succeeded) or the error file. A job
 * that failed keeps the answer its endpoint would have given (status and OpenAI error body).
 */
export function finishedLine(job: JobRecord, ref: BatchLineRef, batchCancelling: boolean): LineOutcome {
  const id = lineRequestId(job.id);
  if (job.status === 'succeeded' && job.result) {
    const usage = job.usage;
    const output: BatchOutputLine = { id, custom_id: ref.customId, response: { status_code: 200, request_id: job.id, body: job.result }, error: null };
    return {
      line: ref.line,
      kind: 'completed',
      json: JSON.stringify(output),
      usage: { input: usage?.prompt_tokens ?? 0, output: usage?.completion_tokens ?? 0, cached: usage?.prompt_tokens_details?.cached_tokens ?? 0, reasoning: 0 },
    };
  }
  if (job.status === 'expired') return unrunLine(ref.id, ref.line, ref.customId, 'batch_expired');
  if (job.status === 'canceled') return unrunLine(ref.id, ref.line, ref.customId, batchCancelling ? 'batch_cancelled' : 'request_cancelled');
  const error = jobOutcomeError(job);
  const body = error.toBody();
  return failed(ref.line, {
    id,
    custom_id: ref.customId,
    response: { status_code: error.status, request_id: job.id, body: { error: body } },
    error: { code: body.code ?? 'request_failed', message: body.message },
  });
}

/** A line whose request the gateway refused when the batch submitted it (no route, a tenant limit...). */
export function refusedLine(batchId: string, line: number, customId: string, error: GatewayError): LineOutcome {
  const jobId = lineJobId(batchId, line);
  const body = error.toBody();
  return failed(line, {
    id: lineRequestId(jobId),
    custom_id: customId,
    response: { status_code: error.status, request_id: jobId, body: { error: body } },
    error: { code: body.code ?? 'request_failed', message: body.message },
  });
}

export function unrunLine(batchId: string, line: number, customId: string, reason: UnrunReason): LineOutcome {
  const id = lineRequestId(lineJobId(batchId, line));
  return failed(line, { id, custom_id: customId, response: null, error: { code: reason, message: UNRUN[reason] } });
}
