import type { BatchObject } from '@switchyard/contracts';
import { formatTime } from '../output';

function counts(batch: BatchObject): string {
  const { total, completed, failed } = batch.request_counts;
  return `${completed}/${total} done, ${failed} failed`;
}

/** One line per batch, for `batches list`. */
export function describeBatchLine(batch: BatchObject): string {
  return `${batch.id}  ${batch.status}  ${counts(batch)}  ${batch.endpoint}  created ${formatTime(batch.created_at)}`;
}

/** A batch for a person: status and counts, its files, and why it failed if it did. */
export function describeBatch(batch: BatchObject): string {
  const files = [`input ${batch.input_file_id}`];
  if (batch.output_file_id) files.push(`output ${batch.output_file_id}`);
  if (batch.error_file_id) files.push(`errors ${batch.error_file_id}`);
  const lines = [
    `${batch.id}  ${batch.status}  ${counts(batch)}`,
    `  endpoint ${batch.endpoint}, window ${batch.completion_window}, created ${formatTime(batch.created_at)}, expires ${formatTime(batch.expires_at)}`,
    `  files: ${files.join(', ')}`,
  ];
  if (batch.usage.total_tokens > 0) lines.push(`  tokens: ${batch.usage.input_tokens} in / ${batch.usage.output_tokens} out`);
  for (const error of batch.errors?.data ?? []) lines.push(`  error${error.line === null ? '' : ` at line ${error.line}`}: ${error.message}`);
  return lines.join('\n');
}
