import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { MockGo } from './mock-call';

const JSON_TYPE = 'application/json; charset=utf-8';

/** The first half of a text, at least one character: enough to look like the start of an answer. */
export function firstHalf(text: string): string {
  return text.slice(0, Math.max(1, Math.ceil(text.length / 2)));
}

/**
 * Sends a 200's headers and `bytes`, then destroys the connection once they are on the wire, so
 * the client reads the start of an answer and then a broken connection, every time.
 */
export function cutAfter(reply: FastifyReply, headers: OutgoingHttpHeaders, bytes: string | Uint8Array, go: MockGo): FastifyReply {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, headers);
  // Out now, even when there are no bytes to follow: the client must see a 200 before the cut.
  res.flushHeaders();
  go.cutByMock();
  res.write(bytes, () => res.destroy());
  return reply;
}

/** A family's non-streamed answer, sent whole or broken as the call's AnswerFault says. */
export function sendAnswer(reply: FastifyReply, answer: object, go: MockGo): FastifyReply {
  if (go.answerFault === undefined) return reply.send(answer);
  const text = JSON.stringify(answer);
  if (go.answerFault === 'malformed_json') return reply.header('content-type', JSON_TYPE).send(firstHalf(text));
  // The full length is announced, so the client knows the body broke off rather than ended.
  return cutAfter(reply, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) }, firstHalf(text), go);
}
