import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mockCompletion } from '@switchyard/providers';
import { sendAnswer } from '../broken-answer';
import { firstHeader, runMockCall, sendFailure, type FailureWriter, type FamilyFailure, type FamilyRouteDeps, type MockCall } from '../mock-call';
import { conversationProblem, converseBodySchema, forcedTool, mockInputOf } from './bedrock-converse-body';
import { converseReply } from './bedrock-converse-reply';
import { bedrockException, bedrockFailure, filteredReply, filteredStopReason } from './bedrock-failure';
import { converseStream } from './bedrock-stream';
import { sendStream, streamAsFailure } from '../stream-writer';
import { invokeAnswer } from './bedrock-invoke-body';
import { verifySigV4 } from './bedrock-signature';

const CREDENTIAL = /Credential=([^/\s,]+)\//;

interface Authorization {
  call: Pick<MockCall, 'hasAuthorization' | 'authorized'>;
  /** What to answer when the credentials are refused. */
  refusal: FamilyFailure;
  /** The deps for the shared flow, which only checks credentials when a key is expected. */
  deps: FamilyRouteDeps;
}

/**
 * With AWS credentials configured the whole SigV4 signature is recomputed and checked; with only an
 * api key, the key must be the signature's access key id; with neither, anything is accepted.
 */
function authorize(request: FastifyRequest, rawBody: string, deps: FamilyRouteDeps): Authorization {
  const header = firstHeader(request.headers.authorization);
  const hasAuthorization = header !== null;
  if (deps.aws) {
    const verdict = verifySigV4({ method: request.method, url: request.url, headers: request.headers, body: rawBody }, deps.aws);
    return {
      call: { hasAuthorization, authorized: verdict.ok },
      refusal: verdict.ok ? bedrockFailure(401, {}) : bedrockException(verdict.type, verdict.message, verdict.status),
      deps: { ...deps, apiKey: deps.apiKey ?? deps.aws.accessKeyId },
    };
  }
  const accessKeyId = header === null ? undefined : CREDENTIAL.exec(header)?.[1];
  return { call: { hasAuthorization, authorized: accessKeyId === deps.apiKey }, refusal: bedrockFailure(401, {}), deps };
}

/** The shared failure writer, with the flow's "bad credentials" turned into the refusal Bedrock gives. */
function failureWriter(auth: Authorization): FailureWriter {
  return (status, options) => (status === 401 && !auth.call.authorized ? auth.refusal : bedrockFailure(status, options));
}

/** A malformed request, unless its credentials are refused first, as Bedrock checks them first. */
function validation(reply: FastifyReply, auth: Authorization, message: string): FastifyReply {
  const refused = auth.deps.apiKey !== undefined && !auth.call.authorized;
  return sendFailure(reply, refused ? auth.refusal : bedrockException('ValidationException', message, 400));
}

/**
 * Bedrock Runtime: `POST /model/{modelId}/converse`, `/converse-stream` and `/invoke` (the
 * embedding models), SigV4-authenticated. The routes live in their own scope, whose JSON parser
 * keeps the exact body bytes: the signature covers them, not the parsed object.
 */
export function registerBedrockRoutes(app: FastifyInstance, deps: FamilyRouteDeps): void {
  const rawBodies = new WeakMap<FastifyRequest, string>();
  app.register(async (scope) => {
    const parseJson = scope.getDefaultJsonParser('error', 'error');
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      rawBodies.set(request, text);
      parseJson(request, text, done);
    });

    /** Converse, or with `stream` ConverseStream: the same request, answered as an event stream. */
    const converse = async (request: FastifyRequest<{ Params: { modelId: string } }>, reply: FastifyReply, stream: boolean): Promise<FastifyReply> => {
      const started = Date.now();
      const modelId = request.params.modelId;
      const auth = authorize(request, rawBodies.get(request) ?? '', deps);
      const parsed = converseBodySchema.safeParse(request.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return validation(reply, auth, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'malformed input request'}`);
      }
      const body = parsed.data;
      const problem = conversationProblem(body);
      if (problem !== undefined) return validation(reply, auth, problem);
      const input = mockInputOf(body);
      const fail = failureWriter(auth);
      // Filtered output is a 200 answer; asked for a stream, Bedrock streams it.
      const failStreamed: FailureWriter = (status, options) => {
        const stopReason = filteredStopReason(options);
        return stream && stopReason !== undefined ? streamAsFailure(converseStream(filteredReply(stopReason))) : fail(status, options);
      };
      const go = await runMockCall(
        request,
        reply,
        auth.deps,
        { input, model: modelId, requestId: firstHeader(request.headers['amz-sdk-invocation-id']), stream, ...auth.call },
        failStreamed,
      );
      if (!go) return reply;
      const answer = converseReply(mockCompletion(input, modelId), forcedTool(body), Date.now() - started);
      return stream ? sendStream(reply, converseStream(answer), go) : sendAnswer(reply.header('x-amzn-requestid', randomUUID()), answer, go);
    };
    scope.post('/model/:modelId/converse', (request: FastifyRequest<{ Params: { modelId: string } }>, reply: FastifyReply) => converse(request, reply, false));
    scope.post('/model/:modelId/converse-stream', (request: FastifyRequest<{ Params: { modelId: string } }>, reply: FastifyReply) => converse(request, reply, true));

    scope.post('/model/:modelId/invoke', async (request: FastifyRequest<{ Params: { modelId: string } }>, reply: FastifyReply) => {
      const modelId = request.params.modelId;
      const auth = authorize(request, rawBodies.get(request) ?? '', deps);
      const reading = invokeAnswer(modelId, request.body);
      if (!reading.ok) return validation(reply, auth, reading.message);
      const { input, body, headers } = reading.answer;
      const proceed = await runMockCall(
        request,
        reply,
        auth.deps,
        { input, model: modelId, requestId: firstHeader(request.headers['amz-sdk-invocation-id']), stream: false, ...auth.call },
        failureWriter(auth),
      );
      if (!proceed) return reply;
      return reply.headers({ 'x-amzn-requestid': randomUUID(), ...headers }).send(body);
    });
  });
}
