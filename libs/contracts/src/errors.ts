/**
 * Every error a client can see. One exception filter maps these to the OpenAI error shape
 * (`{"error":{"message","type","code","param"}}`); nothing else builds error JSON.
 */

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'server_error';

export interface ErrorBody {
  message: string;
  type: ErrorType | string;
  code: string | null;
  param: string | null;
}

export abstract class GatewayError extends Error {
  abstract readonly status: number;
  abstract readonly type: ErrorType;

  constructor(
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** Response headers that belong with the error, such as retry-after. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  toBody(): ErrorBody {
    return { message: this.message, type: this.type, code: this.code, param: this.param };
  }
}

export class InvalidRequestError extends GatewayError {
  readonly status = 400;
  readonly type = 'invalid_request_error';
  constructor(message: string, param: string | null = null, code = 'invalid_request') {
    super(message, code, param);
  }
}

export class AuthenticationError extends GatewayError {
  readonly status = 401;
  readonly type = 'authentication_error';
  constructor(message = 'Missing or invalid API key. Send it as "Authorization: Bearer <key>".') {
    super(message, 'invalid_api_key');
  }
}

export class PermissionDeniedError extends GatewayError {
  readonly status = 403;
  readonly type = 'permission_error';
  constructor(message: string) {
    super(message, 'permission_denied');
  }
}

export class NotFoundError extends GatewayError {
  readonly status = 404;
  readonly type = 'invalid_request_error';
  constructor(message: string, code = 'not_found', param: string | null = null) {
    super(message, code, param);
  }
}

export class ModelNotFoundError extends NotFoundError {
  constructor(model: string, param = 'model') {
    super(`The model '${model}' does not exist or is not served by this gateway.`, 'model_not_found', param);
  }
}

export class JobNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`No job with id '${id}'.`, 'job_not_found', 'id');
  }
}

export class ConflictError extends GatewayError {
  readonly status = 409;
  readonly type = 'invalid_request_error';
  constructor(message: string, code = 'conflict') {
    super(message, code);
  }
}

export class PayloadTooLargeError extends GatewayError {
  readonly status = 413;
  readonly type = 'invalid_request_error';
  constructor(limitBytes: number) {
    super(`Request body is larger than the limit of ${limitBytes} bytes.`, 'request_too_large');
  }
}

export class UnsupportedMediaTypeError extends GatewayError {
  readonly status = 415;
  readonly type = 'invalid_request_error';
  constructor(contentType: string) {
    super(`Unsupported content type '${contentType}'; send application/json.`, 'unsupported_media_type');
  }
}

export class ServiceUnavailableError extends GatewayError {
  readonly status = 503;
  readonly type = 'server_error';
  constructor(message: string, retryAfterS = 1) {
    super(message, 'service_unavailable', null, { 'retry-after': String(retryAfterS) });
  }
}

/** The caller went over one of its own limits (requests, waiting jobs, tokens, budget). */
export class TooManyRequestsError extends GatewayError {
  readonly status = 429;
  readonly type = 'rate_limit_error';
  constructor(message: string, code: string, retryAfterS: number) {
    super(message, code, null, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterS))) });
  }
}

/** No target of the model can take the request (capabilities, context window, open circuits). */
export class NoRouteError extends GatewayError {
  readonly status = 422;
  readonly type = 'invalid_request_error';
  constructor(message: string, param: string | null = null) {
    super(message, 'no_route', param);
  }
}

/** Header naming the job behind an interactive call, so a client can poll it later. */
export const JOB_ID_HEADER = 'x-switchyard-job-id';

/**
 * An interactive call outlived its wait. The job carries on: the header names it for polling, and
 * `x-should-retry: false` keeps the OpenAI SDKs from retrying into a second job.
 */
export class JobStillRunningError extends GatewayError {
  readonly status = 504;
  readonly type = 'server_error';
  constructor(jobId: string, waitedS: number) {
    super(`The job did not finish within ${waitedS} s; it is still running: poll GET /v1/jobs/${jobId}.`, 'job_still_running', null, {
      [JOB_ID_HEADER]: jobId,
      'x-should-retry': 'false',
    });
  }
}

/** An interactive call whose job ended without a result: its error, with a status that fits it. */
export class JobEndedWithoutResultError extends GatewayError {
  readonly type: ErrorType;
  constructor(
    readonly status: number,
    error: ErrorBody,
    jobId: string,
  ) {
    // The gateway already retried and fell back; an SDK retrying on a 5xx would only run it again.
    super(error.message, error.code, error.param, { [JOB_ID_HEADER]: jobId, 'x-should-retry': 'false' });
    this.type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  }
}
