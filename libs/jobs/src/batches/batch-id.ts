import { createHash } from 'node:crypto';
import { NotFoundError, newUlid } from '@switchyard/contracts';

const BATCH_ID = /^batch_[0-9A-HJKMNP-TV-Z]{26}$/;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The time part of a ULID. */
const ULID_TIME_CHARS = 10;
const ULID_RANDOM_CHARS = 16;

export const newBatchId = (): string => `batch_${newUlid()}`;

export const isBatchId = (value: string): boolean => BATCH_ID.test(value);

/** Someone else's batch and no batch at all look the same from outside. */
export function batchNotFound(id: string): NotFoundError {
  return new NotFoundError(`No batch with id '${id}'.`, 'batch_not_found', 'batch_id');
}

function crockford(bytes: Buffer, chars: number): string {
  let out = '';
  let value = 0;
  let bits = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      bits -= 5;
      out += CROCKFORD[(value >>> bits) & 31];
    }
    if (out.length === chars) break;
  }
  return out;
}

/**
 * A line's job id follows from its batch and line, so a batch expanded twice (a worker that died
 * halfway, then the retry) finds the jobs it already made instead of making them again. It is a
 * valid job id: the batch's creation time, then 80 bits of a hash of batch and line.
 */
export function lineJobId(batchId: string, line: number): string {
  const time = batchId.slice('batch_'.length, 'batch_'.length + ULID_TIME_CHARS);
  const digest = createHash('sha256').update(`${batchId}:${line}`).digest();
  return `job_${time}${crockford(digest, ULID_RANDOM_CHARS)}`;
}

/** The `id` of a line in the output and error files (`batch_req_...`, as OpenAI names them). */
export function lineRequestId(jobId: string): string {
  return `batch_req_${jobId.slice('job_'.length)}`;
}
