import { randomUUID } from 'node:crypto';
import type { FailureOptions, FamilyFailure } from '../mock-call';
import type { ConverseMockReply } from './bedrock-converse-reply';

/** Bedrock Runtime's exceptions with the status and description its API reference gives them. */
const EXCEPTIONS: Readonly<Record<string, { status: number; message: string }>> = {
  ValidationException: { status: 400, message: 'The input fails to satisfy the constraints specified by Amazon Bedrock.' },
  ServiceQuotaExceededException: { status: 400, message: 'Your request exceeds the service quota for your account. You can resubmit your request later.' },
  AccessDeniedException: { status: 403, message: 'You don\'t have access to the model with the specified model ID.' },
  UnrecognizedClientException: { status: 403, message: 'The security token included in the request is invalid.' },
  ResourceNotFoundException: { status: 404, message: 'The specified resource ARN was not found.' },
  ModelTimeoutException: { status: 408, message: 'The request took too long to process. Processing time exceeded the model timeout length.' },
  ModelErrorException: { status: 424, message: 'The request failed due to an error while processing the model.' },
  ThrottlingException: { status: 429, message: 'Your request was throttled because of service-wide limitations. Resubmit your request later or in a different region.' },
  ModelNotReadyException: { status: 429, message: 'The model specified in the request is not ready to serve inference requests.' },
  InternalServerException: { status: 500, message: 'An internal server error occurred.' },
  ServiceUnavailableException: { status: 503, message: 'The service isn\'t currently available.' },
};

/** The exception a bare status stands for. 401 is how the shared flow says "bad credentials". */
const BY_STATUS: Readonly<Record<number, string>> = {
  400: 'ValidationException',
  401: 'UnrecognizedClientException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

const CONTEXT_LENGTH = 'context_length_exceeded';

/**
 * Bedrock's restJson1 error: the exception name in `x-amzn-errortype` (with the service namespace
 * suffix Bedrock appends) and `{"message"}` in the body. Bedrock sends no retry-after.
 */
export function bedrockException(type: string, message: string, status: number): FamilyFailure {
  return {
    status,
    headers: {
      'x-amzn-requestid': randomUUID(),
      'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    },
    body: { message },
  };
}

/** A Converse answer whose output was withheld by a content filter or a guardrail (a 200, not an error). */
export function filteredReply(stopReason: string): ConverseMockReply {
  // Without a custom blocked message, a guardrail answers with this text.
  const content = stopReason === 'guardrail_intervened' ? [{ text: 'Sorry, the model cannot answer this question.' }] : [];
  return {
    output: { message: { role: 'assistant', content } },
    stopReason,
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    metrics: { latencyMs: 0 },
  };
}

/** The stop reason of the 200 that an `error_code` asks for instead of an error, if it asks for one. */
export function filteredStopReason(options: FailureOptions): 'content_filtered' | 'guardrail_intervened' | undefined {
  if (options.code === 'content_filter') return 'content_filtered';
  if (options.code === 'guardrail_intervened') return 'guardrail_intervened';
  return undefined;
}

/**
 * A failure as Bedrock writes it. `error_code` picks what a status cannot: `context_length_exceeded`
 * (a ValidationException "Input is too long for requested model."), `content_filter` and
 * `guardrail_intervened` (a 200 whose stopReason says so), or any exception name above.
 */
export function bedrockFailure(status: number, options: FailureOptions): FamilyFailure {
  const { code } = options;
  if (code === CONTEXT_LENGTH) return bedrockException('ValidationException', 'Input is too long for requested model.', 400);
  const stopReason = filteredStopReason(options);
  if (stopReason !== undefined) return { status: 200, headers: { 'x-amzn-requestid': randomUUID() }, body: filteredReply(stopReason) };
  if (code !== undefined) {
    const named = EXCEPTIONS[code];
    if (named) return bedrockException(code, options.message ?? named.message, named.status);
    return bedrockException('ValidationException', `#mock error_code '${code}' has no Bedrock equivalent`, 400);
  }
  const type = BY_STATUS[status] ?? (status >= 500 ? 'InternalServerException' : 'ValidationException');
  // A status without an exception of its own keeps its number, so every status class stays testable.
  const wireStatus = status === 401 ? EXCEPTIONS[type].status : status;
  return bedrockException(type, options.message ?? EXCEPTIONS[type].message, wireStatus);
}
