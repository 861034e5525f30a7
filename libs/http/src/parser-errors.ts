import { HttpException } from '@nestjs/common';
import { InvalidRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '@switchyard/contracts';

interface FastifyParserError {
  code: string;
  statusCode: number;
  message: string;
}

/** Fastify's content-type parsers raise FST_ERR_CTP_* errors (bad JSON, body too large, wrong type). */
function parserErrorOf(exception: unknown): FastifyParserError | undefined {
  // Nest hands Fastify's 4xx errors to the exception filters wrapped in an HttpException.
  const error = exception instanceof HttpException ? exception.cause : exception;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode, message } = error as Partial<FastifyParserError>;
  if (typeof code !== 'string' || !code.startsWith('FST_ERR_CTP_') || typeof statusCode !== 'number' || typeof message !== 'string') return undefined;
  return { code, statusCode, message };
}

/**
 * A body refused before any route runs, in the gateway's error classes (with their codes); any
 * other error as it is.
 */
export function fromParserError(exception: unknown, contentType: string | undefined, bodyLimitBytes: number): unknown {
  const error = parserErrorOf(exception);
  if (!error || error.statusCode >= 500) return exception;
  if (error.statusCode === 413) return new PayloadTooLargeError(bodyLimitBytes);
  if (error.statusCode === 415) return new UnsupportedMediaTypeError(contentType?.split(';')[0]?.trim() || 'none');
  return new InvalidRequestError(`The request body could not be parsed: ${error.message}`, null, 'invalid_json');
}
