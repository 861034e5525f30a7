import type { ArgumentsHost } from '@nestjs/common';
import { TooManyRequestsError } from '@switchyard/contracts';
import type { Metrics } from '@switchyard/telemetry';
import type { AuthenticatedRequest } from './auth/principal';

/** Counts a 429 for one of a key's own limits (TooManyRequestsError is thrown for nothing else). */
export function countTenantRejection(metrics: Metrics, exception: unknown, host: ArgumentsHost): void {
  if (!(exception instanceof TooManyRequestsError)) return;
  const key = host.switchToHttp().getRequest<AuthenticatedRequest>().principal?.name ?? 'unknown';
  metrics.tenantRateLimited(key, exception.code ?? 'rate_limit_exceeded');
}
