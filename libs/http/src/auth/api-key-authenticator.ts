import type { IncomingHttpHeaders } from 'node:http';
import { Injectable } from '@nestjs/common';
import { ANONYMOUS, ApiKeys } from '@switchyard/tenants';
import type { Principal } from './principal';

const OPEN_GATEWAY: Principal = { name: ANONYMOUS, scopes: ['jobs'] };

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
  constructor(private readonly keys: ApiKeys) {}

  /** No key in the config file; run-time keys need an admin key to be made, so there are none to check. */
  get open(): boolean {
    return this.keys.noneConfigured;
  }

  /** The caller a request's key names (config file or run time); null for a missing, unknown or revoked key. */
  async authenticate(headers: IncomingHttpHeaders): Promise<Principal | null> {
    if (this.open) return OPEN_GATEWAY;
    const key = presentedKey(headers);
    if (key === undefined) return null;
    return this.keys.authenticate(key);
  }
}
