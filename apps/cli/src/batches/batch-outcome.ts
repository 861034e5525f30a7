import type { BatchObject } from '@switchyard/contracts';
import { EXIT } from '../cli-context';

/** A batch that failed validation, expired or was cancelled did not do its work: exit `rejected`. */
export function batchExitCode(batch: BatchObject): number {
  return batch.status === 'failed' || batch.status === 'expired' || batch.status === 'cancelled' ? EXIT.rejected : EXIT.ok;
}

/** For results: some lines failed -> `partial`; every finished line failed -> `rejected`. */
export function resultsExitCode(batch: BatchObject): number {
  const { completed, failed } = batch.request_counts;
  if (failed > 0) return completed > 0 ? EXIT.partial : EXIT.rejected;
  return batchExitCode(batch);
}
