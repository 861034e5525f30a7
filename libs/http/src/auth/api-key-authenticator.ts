import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { Principal } from './principal';

const OPEN_GATEWAY: Principal = { name: 'anonymous', scopes: ['jobs'] };

/**
 * The key a request presents: `Authorization: Bearer <key>` (OpenAI SDKs) or `x-api-key: <key>`
 * (Anthropic SDKs); with both, the Bearer one.
 */
function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (bearer) return bearer[1];
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && /^\S+$/.test(apiKey) ? apiKey : undefined;
}

@Injectable()
export class ApiKeyAuthenticator {
  constructor(private readonly config: SwitchyardConfig) {}

  get open(): boolean {
    return this.config.auth.keys.length === 0;
  }

  /** The caller a request's key names; null for a missing or unknown key. */
  authenticate(headers: IncomingHttpHeaders): Principal | null {
    if (this.open) return OPEN_GATEWAY;
    const key = presentedKey(headers);
    if (key === undefined) return null;
    // Comparing fixed-length digests of every configured key, without stopping at the first
    // match, keeps the time taken independent of which key (if any) was presented.
    const presented = createHash('sha256').update(key).digest();
    let found: Principal | null = null;
    for (const configured of this.config.auth.keys) {
      if (timingSafeEqual(presented, configured.sha256) && found === null) found = { name: configured.name, scopes: configured.scopes };
    }
    return found;
  }
}
