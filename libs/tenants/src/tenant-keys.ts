import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';

/** Every Redis key and channel of run-time API keys and usage, in one place, under the configured prefix. */
@Injectable()
export class TenantKeys {
  readonly prefix: string;

  constructor(config: SwitchyardConfig) {
    this.prefix = config.redis.prefix;
  }

  /** Hash: key name → its record (JSON), revoked ones included so their names stay taken. */
  apiKeys(): string {
    return `${this.prefix}:api-keys`;
  }

  /** Hash: SHA-256 (hex) of a live key → its name. */
  apiKeyDigests(): string {
    return `${this.prefix}:api-key-digests`;
  }

  /** Every process drops its cached key settings when a key is created or revoked. */
  apiKeysChanged(): string {
    return `${this.prefix}:api-keys-changed`;
  }

  /** Hash per UTC day and key: `<provider> <model> <measure>` → integer. */
  usageDayPrefix(day: string): string {
    return `${this.prefix}:usage:${day}:`;
  }

  /** Set per UTC day: the keys with usage that day (what an admin's query reads). */
  usageDayOwners(day: string): string {
    return `${this.prefix}:usage-keys:${day}`;
  }

  /** String per UTC month and key: its cost so far, in units of 1e-8 USD (the budget check reads it). */
  spendMonthPrefix(month: string): string {
    return `${this.prefix}:spend:${month}:`;
  }
}
