import { JobEndedWithoutResultError, type ErrorBody } from '@switchyard/contracts';
import type { JobRecord } from '../job-record';

/** A provider error kind (the job error's `code`) as the HTTP status an interactive caller gets. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  invalid_request: 400,
  context_length_exceeded: 400,
  content_filter: 400,
  rate_limited: 429,
  timeout: 504,
  job_expired: 504,
};

/** The error of an interactive job that ended without a result; upstream failures are 502. */
export function jobOutcomeError(record: JobRecord): JobEndedWithoutResultError {
  const error: ErrorBody = record.error ?? { message: `The job ended ${record.status}.`, type: 'server_error', code: `job_${record.status}`, param: null };
  const status = record.status === 'canceled' ? 409 : (STATUS_BY_CODE[error.code ?? ''] ?? 502);
  return new JobEndedWithoutResultError(status, error, record.id);
}
