import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthenticationError } from '@switchyard/contracts';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import type { AuthenticatedRequest } from './principal';

const PUBLIC_ROUTE = 'switchyard:public-route';

/** Marks a route that answers without a key (health probes). */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: ApiKeyAuthenticator,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = this.authenticator.authenticate(request.headers);
    if (!principal) throw new AuthenticationError('Missing or invalid API key. Send it as "Authorization: Bearer <key>" or "x-api-key: <key>".');
    request.principal = principal;
    return true;
  }
}
