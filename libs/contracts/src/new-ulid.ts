import { randomBytes } from 'node:crypto';
import { ulid, type PRNG } from 'ulid';

const POOL_BYTES = 4096;
let pool = randomBytes(POOL_BYTES);
let offset = 0;

/**
 * The `ulid` package asks the OS for randomness once per character (16 calls per id), which
 * was a sixth of the API's CPU per accepted job. Drawing from a pooled buffer of the same
 * cryptographic bytes costs about 50 times less.
 */
const pooledRandom: PRNG = () => {
  if (offset + 4 > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const value = pool.readUInt32LE(offset) / 2 ** 32;
  offset += 4;
  return value;
};

/** A ULID: sortable by creation time, 80 random bits. */
export function newUlid(): string {
  return ulid(Date.now(), pooledRandom);
}
