import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { SwitchyardConfig, type ApiKeyConfig } from '@switchyard/config';
import { ServiceUnavailableError } from '@switchyard/contracts';
import { RedisSubscriber } from '@switchyard/redis';
import { settingsOf, type KeySettings } from './api-key-record';
import { RuntimeKeyStore } from './runtime-key-store';
import { TenantKeys } from './tenant-keys';
import { WebhookSecretVault } from './webhook-secret-vault';

/** Who calls an open gateway (no key in the config file); never the name of a run-time key. */
export const ANONYMOUS = 'anonymous';

/** Who a presented key belongs to. */
export interface KeyHolder {
  name: string;
  scopes: readonly string[];
}

/**
 * Bounds how stale a cached entry can get if a change message is lost (a subscriber reconnect);
 * normally the message drops it at once.
 */
const CACHE_TTL_MS = 5000;

interface Cached<T> {
  value: T;
  untilMs: number;
}

/**
 * The one directory of API keys: the config file's, then those created at run time (Redis). Every
 * reader of per-key settings asks it. Run-time entries are cached per process and dropped on every
 * process when a key is created or revoked (a pub/sub message from the same script that changed it).
 */
@Injectable()
export class ApiKeys {
  private readonly logger = new Logger(ApiKeys.name);
  private readonly configured: ReadonlyMap<string, KeySettings>;
  private readonly settings = new Map<string, Cached<KeySettings | undefined>>();
  private readonly holders = new Map<string, Cached<KeyHolder>>();
  /** Moves on every change message, so a lookup that raced one does not cache what it read. */
  private generation = 0;
  /** True while this process hears of changes; until then nothing is cached. */
  private live = false;
  private listening?: Promise<void>;

  constructor(
    private readonly config: SwitchyardConfig,
    private readonly store: RuntimeKeyStore,
    private readonly subscriber: RedisSubscriber,
    private readonly keys: TenantKeys,
    private readonly secrets: WebhookSecretVault,
  ) {
    this.configured = new Map(config.auth.keys.map((key) => [key.name, configSettings(key)]));
  }

  /** No key in the config file: the gateway runs open (see ApiKeyAuthenticator). */
  get noneConfigured(): boolean {
    return this.config.auth.keys.length === 0;
  }

  isConfigured(name: string): boolean {
    return this.configured.has(name);
  }

  configuredNames(): string[] {
    return [...this.configured.keys()];
  }

  /** The key's settings, revoked run-time keys included (their jobs still finish and report). */
  async find(name: string): Promise<KeySettings | undefined> {
    const fromConfig = this.configured.get(name);
    if (fromConfig) return fromConfig;
    // The open gateway's caller has no settings: it is admitted without Redis.
    if (name === ANONYMOUS) return undefined;
    try {
      return await this.cached(this.settings, name, async () => {
        const stored = await this.store.find(name);
        return stored && settingsOf(stored, this.secrets.open(stored));
      });
    } catch (error) {
      this.logger.warn(`run-time key lookup failed: ${(error as Error).message}`);
      throw new ServiceUnavailableError('API key settings cannot be read: Redis did not answer.');
    }
  }

  /** The holder of a presented key, or null. Config keys first: they work without Redis. */
  async authenticate(key: string): Promise<KeyHolder | null> {
    const presented = createHash('sha256').update(key).digest();
    // Comparing with every configured digest, without stopping at a match, keeps the time taken
    // independent of which key (if any) was presented.
    let found: KeyHolder | null = null;
    for (const configured of this.config.auth.keys) {
      if (timingSafeEqual(presented, configured.sha256) && found === null) found = { name: configured.name, scopes: configured.scopes };
    }
    if (found) return found;
    const digest = presented.toString('hex');
    const hit = this.holders.get(digest);
    if (hit && hit.untilMs > Date.now()) return hit.value;
    try {
      return await this.lookUp(digest, presented);
    } catch (error) {
      this.logger.warn(`run-time key lookup failed: ${(error as Error).message}`);
      throw new ServiceUnavailableError('API keys cannot be checked: Redis did not answer.');
    }
  }

  private async lookUp(digest: string, presented: Buffer): Promise<KeyHolder | null> {
    const generation = this.generation;
    const live = this.listen();
    const name = await this.store.nameOf(digest);
    const stored = name === undefined ? undefined : await this.store.find(name);
    // Found by its digest; the comparison guards against a record that does not match its index.
    if (!stored || stored.revoked_at !== null || !timingSafeEqual(Buffer.from(stored.sha256, 'hex'), presented)) return null;
    const holder: KeyHolder = { name: stored.name, scopes: stored.scopes };
    if (live && generation === this.generation) this.holders.set(digest, { value: holder, untilMs: Date.now() + CACHE_TTL_MS });
    return holder;
  }

  private async cached<T>(cache: Map<string, Cached<T>>, id: string, read: () => Promise<T>): Promise<T> {
    const hit = cache.get(id);
    if (hit && hit.untilMs > Date.now()) return hit.value;
    const generation = this.generation;
    const live = this.listen();
    const value = await read();
    if (live && generation === this.generation) cache.set(id, { value, untilMs: Date.now() + CACHE_TTL_MS });
    return value;
  }

  /**
   * Whether what is read now may be cached: only once the change channel is confirmed. Reads never
   * wait for it, so a Redis outage fails them fast instead of hanging on the subscription.
   */
  private listen(): boolean {
    this.listening ??= this.subscriber.subscribe(this.keys.apiKeysChanged(), () => this.forget()).then(
      () => {
        this.live = true;
      },
      (error: unknown) => {
        this.logger.warn(`not subscribed to key changes, reading keys uncached: ${(error as Error).message}`);
        this.listening = undefined;
      },
    );
    return this.live;
  }

  private forget(): void {
    this.generation += 1;
    this.settings.clear();
    this.holders.clear();
  }
}

function configSettings(key: ApiKeyConfig): KeySettings {
  const { sha256: _digest, ...settings } = key;
  return { ...settings, source: 'config' };
}
