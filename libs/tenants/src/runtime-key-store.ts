import { Injectable } from '@nestjs/common';
import { RedisConnections, RedisScript } from '@switchyard/redis';
import type { StoredApiKey } from './api-key-record';
import { TenantKeys } from './tenant-keys';

/** KEYS: records, digests, changed channel. ARGV: name, record JSON, digest. Fails on a taken name. */
const CREATE_KEY = new RedisScript('create-api-key', `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
redis.call('PUBLISH', KEYS[3], ARGV[1])
return 1
`, 3);

/** KEYS: records, digests, changed channel. ARGV: name, revoked_at. Returns the record, or nil. */
const REVOKE_KEY = new RedisScript('revoke-api-key', `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return nil end
local record = cjson.decode(raw)
if record.revoked_at == cjson.null or record.revoked_at == nil then
  record.revoked_at = tonumber(ARGV[2])
  raw = cjson.encode(record)
  redis.call('HSET', KEYS[1], ARGV[1], raw)
  redis.call('HDEL', KEYS[2], record.sha256)
end
redis.call('PUBLISH', KEYS[3], ARGV[1])
return raw
`, 3);

/** The only code that knows how run-time keys are laid out in Redis. */
@Injectable()
export class RuntimeKeyStore {
  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: TenantKeys,
  ) {}

  private get redis() {
    return this.connections.commands;
  }

  /** False when the name is taken (also by a revoked key). Tells every process at once. */
  async create(record: StoredApiKey): Promise<boolean> {
    const created = await CREATE_KEY.run(this.redis, [this.keys.apiKeys(), this.keys.apiKeyDigests(), this.keys.apiKeysChanged()], [record.name, JSON.stringify(record), record.sha256]);
    return created === 1;
  }

  async find(name: string): Promise<StoredApiKey | undefined> {
    const raw = await this.redis.hget(this.keys.apiKeys(), name);
    return raw === null ? undefined : (JSON.parse(raw) as StoredApiKey);
  }

  /** The name of the live key with this SHA-256 (hex). */
  async nameOf(sha256Hex: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.apiKeyDigests(), sha256Hex)) ?? undefined;
  }

  async list(): Promise<StoredApiKey[]> {
    const all = await this.redis.hvals(this.keys.apiKeys());
    return all.map((raw) => JSON.parse(raw) as StoredApiKey).sort((a, b) => a.created_at - b.created_at);
  }

  /** The key stops authenticating on every process; its record stays. Undefined for an unknown name. */
  async revoke(name: string, now = Date.now()): Promise<StoredApiKey | undefined> {
    const raw = (await REVOKE_KEY.run(this.redis, [this.keys.apiKeys(), this.keys.apiKeyDigests(), this.keys.apiKeysChanged()], [name, now])) as string | null;
    return raw === null ? undefined : (JSON.parse(raw) as StoredApiKey);
  }
}
