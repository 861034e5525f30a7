import { HttpException } from '@nestjs/common';
import { GatewayError, ServiceUnavailableError, type ErrorBody } from '@switchyard/contracts';
import { isRedisOutage } from '@switchyard/redis';

const TYPE_BY_STATUS: Record<number, string> = {
  401: 'authentication_error',
  403: 'permission_error',
  429: 'rate_limit_error',
};

export interface HttpErrorResponse {
  status: number;
  body: { error: ErrorBody };
  headers: Readonly<Record<string, string>>;
}

/** The single place where any error becomes an HTTP status, headers and the OpenAI error shape. */
export function toHttpError(error: unknown): HttpErrorResponse {
  if (isRedisOutage(error)) return toHttpError(new ServiceUnavailableError('Redis is unavailable; retry shortly.'));
  if (error instanceof GatewayError) return { status: error.status, body: { error: error.toBody() }, headers: error.headers };
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const type = status >= 500 ? 'server_error' : (TYPE_BY_STATUS[status] ?? 'invalid_request_error');
    const code = status === 404 ? 'not_found' : status === 405 ? 'method_not_allowed' : null;
    return { status, body: { error: { message: error.message, type, code, param: null } }, headers: {} };
  }
  return {
    status: 500,
    body: { error: { message: 'The gateway hit an internal error.', type: 'server_error', code: 'internal_error', param: null } },
    headers: {},
  };
}
