import type { IncomingHttpHeaders } from 'node:http';
import { Injectable } from '@nestjs/common';
import { AuthenticationError, PermissionDeniedError } from '@switchyard/contracts';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import type { Principal } from '../auth/principal';

export const ADMIN_SCOPE = 'admin';

/** Sent with every 401 of an admin page, so a browser asks for the key itself. */
export const ADMIN_CHALLENGE = { 'www-authenticate': 'Basic realm="Switchyard admin"' } as const;

/**
 * A browser logs in with HTTP Basic: any user name, the API key as the password. The key is then
 * checked exactly as a Bearer key would be, so both ways of presenting it meet the same test.
 */
function asBearer(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const basic = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(headers.authorization ?? '');
  if (!basic) return headers;
  const credentials = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = credentials.indexOf(':');
  return colon < 0 ? {} : { authorization: `Bearer ${credentials.slice(colon + 1)}` };
}

/** Who may open the admin pages (and /metrics when it needs a key): a key with the `admin` scope. */
@Injectable()
export class AdminAccess {
  constructor(private readonly authenticator: ApiKeyAuthenticator) {}

  /** The admin a request's key names; throws 401 for no or an unknown key, 403 for a key without the scope. */
  async admit(headers: IncomingHttpHeaders): Promise<Principal> {
    const principal = await this.authenticator.authenticate(asBearer(headers));
    if (!principal) {
      throw new AuthenticationError('This needs an API key with the admin scope: sign in with any user name and the key as the password, or send "Authorization: Bearer <key>".');
    }
    if (!principal.scopes.includes(ADMIN_SCOPE)) throw new PermissionDeniedError('This API key lacks the admin scope this needs.');
    return principal;
  }
}
