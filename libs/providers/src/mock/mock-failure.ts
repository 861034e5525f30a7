import type { ErrorBody } from '@switchyard/contracts';

/** A failure either mock was asked to produce, in the OpenAI error shape so adapters parse it as the real thing. */
export interface MockFailure {
  status: number;
  headers: Record<string, string>;
  body: { error: ErrorBody };
}

export interface MockFailureOptions {
  retryAfterS?: number;
  /** Overrides the status's usual OpenAI error code. */
  code?: string;
  message?: string;
}

/** The type and code OpenAI uses for each status, so clients' error handling behaves as in production. */
const SHAPES: Readonly<Record<number, Pick<ErrorBody, 'type' | 'code'>>> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory' },
  404: { type: 'invalid_request_error', code: 'model_not_found' },
  408: { type: 'server_error', code: 'timeout' },
  413: { type: 'invalid_request_error', code: 'request_too_large' },
  422: { type: 'invalid_request_error', code: null },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
  503: { type: 'server_error', code: 'overloaded' },
};

export function mockFailure(status: number, options: MockFailureOptions = {}): MockFailure {
  const shape = SHAPES[status] ?? { type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null };
  const headers: Record<string, string> = {};
  if (status === 429 && options.retryAfterS !== undefined) {
    // retry-after carries whole seconds only; retry-after-ms keeps a fractional request exact.
    headers['retry-after'] = String(Math.ceil(options.retryAfterS));
    headers['retry-after-ms'] = String(Math.round(options.retryAfterS * 1000));
  }
  const message = options.message ?? `Simulated failure: the mock was told to answer ${status}.`;
  return { status, headers, body: { error: { message, type: shape.type, code: options.code ?? shape.code, param: null } } };
}
