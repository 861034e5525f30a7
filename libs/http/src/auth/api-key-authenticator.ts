import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { Principal } from './principal';

const OPEN_GATEWAY: Principal = { name: 'anonymous', scopes: ['jobs'] };

@Injectable()
export class ApiKeyAuthenticator {
  constructor(private readonly config: SwitchyardConfig) {}

  get open(): boolean {
    return this.config.auth.keys.length === 0;
  }

  /** Returns null for a missing or unknown key. */
  authenticate(authorization: string | undefined): Principal | null {
    if (this.open) return OPEN_GATEWAY;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return null;
    // Comparing fixed-length digests of every configured key, without stopping at the first
    // match, keeps the time taken independent of which key (if any) was presented.
    const presented = createHash('sha256').update(match[1]).digest();
    let found: Principal | null = null;
    for (const key of this.config.auth.keys) {
      if (timingSafeEqual(presented, key.sha256) && found === null) found = { name: key.name, scopes: key.scopes };
    }
    return found;
  }
}
