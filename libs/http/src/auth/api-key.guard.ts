import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthenticationError, PermissionDeniedError } from '@switchyard/contracts';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import type { AuthenticatedRequest } from './principal';

const PUBLIC_ROUTE = 'switchyard:public-route';
const REQUIRED_SCOPE = 'switchyard:required-scope';

/** Marks a route that answers without a key (health probes). */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);

/** Marks a route (or controller) only keys with this scope may call; others get 403. */
export const RequireScope = (scope: 'admin') => SetMetadata(REQUIRED_SCOPE, scope);

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: ApiKeyAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticator.authenticate(request.headers);
    if (!principal) throw new AuthenticationError('Missing or invalid API key. Send it as "Authorization: Bearer <key>" or "x-api-key: <key>".');
    const scope = this.reflector.getAllAndOverride<string | undefined>(REQUIRED_SCOPE, targets);
    if (scope !== undefined && !principal.scopes.includes(scope)) throw new PermissionDeniedError(`This API key lacks the '${scope}' scope.`);
    request.principal = principal;
    return true;
  }
}
