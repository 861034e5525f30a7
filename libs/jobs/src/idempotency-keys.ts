import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { RedisConnections, RedisScript } from '@switchyard/redis';
import { RedisKeys } from './redis-keys';

/**
 * KEYS: the idempotency key's record. ARGV: fingerprint, job id, ttl_s. The first request with a
 * key claims it for its job; later ones learn that job, or that their body differs.
 */
const CLAIM_KEY = new RedisScript('claim-idempotency-key', `
local held = redis.call('GET', KEYS[1])
if not held then
  redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2], 'EX', ARGV[3])
  return {'claimed'}
end
local fingerprint, job = string.match(held, '^(%S+) (%S+)$')
if fingerprint ~= ARGV[1] then return {'conflict'} end
return {'existing', job}
`, 1);

export type IdempotencyClaim = { kind: 'claimed' } | { kind: 'existing'; jobId: string } | { kind: 'conflict' };

/** `Idempotency-Key` on a submit: one job per key and body, per API key, for `idempotency.ttl_s`. */
@Injectable()
export class IdempotencyKeys {
  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: RedisKeys,
    private readonly config: SwitchyardConfig,
  ) {}

  /** A body's fingerprint: the same submit sent again has the same one. */
  static fingerprint(body: unknown): string {
    return createHash('sha256').update(JSON.stringify(body)).digest('base64url');
  }

  async claim(owner: string, key: string, fingerprint: string, jobId: string): Promise<IdempotencyClaim> {
    const [kind, existing] = (await CLAIM_KEY.run(this.connections.commands, [this.record(owner, key)], [fingerprint, jobId, this.config.idempotency.ttlS])) as [
      string,
      string?,
    ];
    if (kind === 'existing') return { kind, jobId: existing as string };
    return kind === 'conflict' ? { kind } : { kind: 'claimed' };
  }

  /** The job could not be created: the key is free for the client's retry. */
  async release(owner: string, key: string): Promise<void> {
    await this.connections.commands.del(this.record(owner, key));
  }

  /** Hashed, so a client's key of any length and alphabet makes a short, safe Redis key. */
  private record(owner: string, key: string): string {
    return this.keys.idempotency(owner, createHash('sha256').update(key).digest('base64url'));
  }
}
