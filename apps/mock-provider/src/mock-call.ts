import type { FastifyReply, FastifyRequest } from 'fastify';
import { MockDirectiveError, mockWait, readMockRequest, type MockChatInput, type MockStreamFaults } from '@switchyard/providers';
import { planRequest, type AnswerFault, type MockBehaviour } from './behaviour';
import { watchClient } from './client-watch';
import type { AwsCredentials } from './mock-options';
import type { RequestLog } from './request-log';

const USER_TEXT_CHARS = 200;

/** What every family route shares: the request log, the runtime behaviour, the expected key. */
export interface FamilyRouteDeps {
  log: RequestLog;
  behaviour: () => MockBehaviour;
  /** When set, requests must carry this key in the family's own auth header. */
  apiKey?: string;
  /** When set, Bedrock requests must carry a valid SigV4 signature made with these credentials. */
  aws?: AwsCredentials;
  random: () => number;
}

/** A failure in a family's own error shape (status, headers, body). */
export interface FamilyFailure {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface FailureOptions {
  retryAfterS?: number;
  code?: string;
  message?: string;
}

/** How one family writes its errors. */
export type FailureWriter = (status: number, options: FailureOptions) => FamilyFailure;

export interface MockCall {
  /** The request translated to the shape mockCompletion reads (role + text/parts messages). */
  input: MockChatInput;
  model: string | null;
  requestId: string | null;
  /** Whether the family's auth header was present at all (recorded, never its value). */
  hasAuthorization: boolean;
  /** Whether the presented credential is acceptable; checked only when deps.apiKey is set. */
  authorized: boolean;
  stream: boolean;
}

/** A call the route should now answer: how a streamed answer misbehaves, and a signal for the client leaving. */
export interface MockGo {
  faults: MockStreamFaults;
  /** How the 200 answer is to be broken on the wire, if at all. */
  answerFault?: AnswerFault;
  /** Aborted when the client closes the connection before the answer is complete. */
  clientGone: AbortSignal;
  /** Logs the answer as sent before the mock cuts the connection itself, so the log does not count it as the client leaving. */
  cutByMock(): void;
}

export function firstHeader(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

export function sendFailure(reply: FastifyReply, failure: FamilyFailure): FastifyReply {
  return reply.code(failure.status).headers(failure.headers).send(failure.body);
}

/**
 * The flow every mock endpoint follows: log the call, check the key, then obey the directive,
 * the x-mock-* headers and the server defaults (latency, hang, failure). Resolves to a MockGo when
 * the route should now write its normal answer; false when a failure was sent or the client left.
 */
export async function runMockCall(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: FamilyRouteDeps,
  call: MockCall,
  fail: FailureWriter,
): Promise<MockGo | false> {
  let userText = '';
  let directiveError: string | undefined;
  let directive = {};
  try {
    const parsed = readMockRequest(call.input);
    directive = parsed.directive;
    userText = parsed.text;
  } catch (error) {
    if (!(error instanceof MockDirectiveError)) throw error;
    directiveError = error.message;
  }
  const record = deps.log.start({
    model: call.model,
    request_id: call.requestId,
    user_text: userText.slice(0, USER_TEXT_CHARS),
    has_authorization: call.hasAuthorization,
    stream: call.stream,
  });
  const signal = watchClient(reply, {
    onSent: (status) => deps.log.finished(record, status),
    onGone: () => deps.log.abandoned(record),
  });
  if (deps.apiKey !== undefined && !call.authorized) {
    sendFailure(reply, fail(401, { message: 'Invalid or missing API key.' }));
    return false;
  }
  if (directiveError !== undefined) {
    sendFailure(reply, fail(400, { message: directiveError }));
    return false;
  }
  let plan;
  try {
    plan = planRequest(directive, request.headers, deps.behaviour(), deps.random);
  } catch (error) {
    if (!(error instanceof MockDirectiveError)) throw error;
    sendFailure(reply, fail(400, { message: error.message }));
    return false;
  }
  try {
    await mockWait(plan.wait, signal);
  } catch {
    return false; // the client left; there is no one to answer
  }
  if (plan.failure) {
    const { status, retryAfterS, code } = plan.failure;
    sendFailure(reply, fail(status, { retryAfterS, code }));
    return false;
  }
  return { faults: plan.faults, answerFault: plan.answerFault, clientGone: signal, cutByMock: () => deps.log.finished(record, 200) };
}
