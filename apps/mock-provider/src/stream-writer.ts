import type { FastifyReply } from 'fastify';
import { mockFaultAt, mockWait } from '@switchyard/providers';
import { cutAfter, firstHalf } from './broken-answer';
import type { FamilyFailure, MockGo } from './mock-call';

/** Bytes of one family's stream: an SSE event, an NDJSON line or an AWS event-stream message. */
export type Frame = string | Uint8Array;

/**
 * One frame and its part in the answer: `content` frames carry the answer (they are what the
 * stream faults count), `final` frames close it (finish, usage, end marker), `other` frames are the
 * family's framing around the content.
 */
export interface StreamFrame {
  frame: Frame;
  kind: 'content' | 'other' | 'final';
}

/** A family's whole streamed answer, written by sendStream. */
export interface FamilyStream {
  contentType: string;
  headers?: Record<string, string>;
  frames: StreamFrame[];
  /** The family's mid-stream error event; without one, a failure cuts the connection. */
  error?: Frame;
}

export const content = (frame: Frame): StreamFrame => ({ frame, kind: 'content' });
export const other = (frame: Frame): StreamFrame => ({ frame, kind: 'other' });
export const final = (frame: Frame): StreamFrame => ({ frame, kind: 'final' });

function bytesOf(frames: StreamFrame[]): Buffer {
  return Buffer.concat(frames.map(({ frame }) => (typeof frame === 'string' ? Buffer.from(frame, 'utf8') : frame)));
}

/** A frame cut in half, keeping a text frame's line ends so the reader takes it as a whole, broken event. */
function cutFrame(frame: Frame): Frame {
  if (typeof frame !== 'string') return frame.subarray(0, Math.max(1, Math.ceil(frame.length / 2)));
  const event = frame.trimEnd();
  return firstHalf(event) + frame.slice(event.length);
}

/**
 * A stream broken as the call's AnswerFault says: `reset` cuts the connection after the frames
 * before the first content, `malformed_json` sends those and then the first content frame cut in
 * half, and ends.
 */
function sendBrokenStream(reply: FastifyReply, stream: FamilyStream, go: MockGo): FastifyReply {
  const first = stream.frames.findIndex(({ kind }) => kind !== 'other');
  const opening = stream.frames.slice(0, first < 0 ? stream.frames.length : first);
  const headers = { 'content-type': stream.contentType, 'cache-control': 'no-cache', ...stream.headers };
  if (go.answerFault === 'reset') return cutAfter(reply, headers, bytesOf(opening), go);
  reply.hijack();
  reply.raw.writeHead(200, headers);
  const broken = first < 0 ? [] : [{ frame: cutFrame(stream.frames[first].frame), kind: 'content' as const }];
  reply.raw.end(bytesOf([...opening, ...broken]));
  return reply;
}

/**
 * Writes a family's stream with the call's faults: each strikes before content frame N+1, or, when
 * the answer has fewer, before the final frames. `fail` sends the family's error event (or cuts the
 * connection), `truncate` ends the response without the frames still due, `stall` goes quiet until
 * the client leaves. `stream_interval_ms` paces the frames after the first content frame.
 */
export async function sendStream(reply: FastifyReply, stream: FamilyStream, go: MockGo): Promise<FastifyReply> {
  if (go.answerFault !== undefined) return sendBrokenStream(reply, stream, go);
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': stream.contentType, 'cache-control': 'no-cache', ...stream.headers });
  const total = stream.frames.filter((frame) => frame.kind === 'content').length;
  let sent = 0;
  let struck = false;
  for (const { frame, kind } of stream.frames) {
    if (go.clientGone.aborted) return reply;
    if (!struck && (kind === 'content' || kind === 'final')) {
      struck = kind === 'final' || sent === total;
      const fault = mockFaultAt(go.faults, sent, total);
      if (fault === 'stall') {
        await mockWait('forever', go.clientGone).catch(() => undefined);
        return reply;
      }
      if (fault === 'fail') {
        if (stream.error === undefined) res.destroy();
        else res.end(stream.error);
        return reply;
      }
      if (fault === 'truncate') {
        res.end();
        return reply;
      }
    }
    if (kind === 'content' && sent > 0 && go.faults.stream_interval_ms) {
      try {
        await mockWait(go.faults.stream_interval_ms, go.clientGone);
      } catch {
        return reply;
      }
    }
    if (kind === 'content') sent++;
    res.write(frame);
  }
  res.end();
  return reply;
}

/**
 * A whole stream as one failure to send at once: for the "failures" a family answers with 200 and
 * a normal-looking stream (Anthropic's refusal, Gemini's blocked prompt, Bedrock's filtered output).
 */
export function streamAsFailure(stream: FamilyStream): FamilyFailure {
  const bytes = bytesOf(stream.frames);
  return { status: 200, headers: { 'content-type': stream.contentType, ...stream.headers }, body: bytes };
}
