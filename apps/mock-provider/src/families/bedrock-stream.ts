import { randomUUID } from 'node:crypto';
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { mockStreamPieces } from '@switchyard/providers';
import { argumentFragments } from '../sse';
import { content, final, other, type FamilyStream, type StreamFrame } from '../stream-writer';
import type { ConverseMockReply } from './bedrock-converse-reply';

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
  (text) => Buffer.from(text, 'utf8'),
);

const json = { ':content-type': { type: 'string', value: 'application/json' } } as const;

/** Bedrock pads each event with a `p` field of varying length, so sizes do not reveal the content. */
const PADDING = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function frame(headers: MessageHeaders, body: object): Uint8Array {
  return codec.encode({ headers, body: Buffer.from(JSON.stringify(body), 'utf8') });
}

/** One ConverseStream event as an AWS event-stream message. */
function event(type: string, body: object): Uint8Array {
  const padding = PADDING.slice(0, (JSON.stringify(body).length % PADDING.length) + 1);
  return frame({ ':event-type': { type: 'string', value: type }, ...json, ':message-type': { type: 'string', value: 'event' } }, { ...body, p: padding });
}

/** A modeled exception event, as ConverseStream sends when the model fails mid-way. */
function exception(type: string, message: string): Uint8Array {
  return frame({ ':exception-type': { type: 'string', value: type }, ...json, ':message-type': { type: 'string', value: 'exception' } }, { message });
}

const MODEL_STREAM_ERROR = exception('modelStreamErrorException', 'The model failed while it was streaming its answer.');

/**
 * A Converse answer as ConverseStream sends it, in event-stream binary frames: messageStart, each
 * block's deltas (text per word; a toolUse block's contentBlockStart with its id and name, then its
 * input in fragments) and contentBlockStop, then messageStop with the stop reason and metadata
 * with the usage.
 */
export function converseStream(reply: ConverseMockReply): FamilyStream {
  const frames: StreamFrame[] = [other(event('messageStart', { role: 'assistant' }))];
  reply.output.message.content.forEach((block, contentBlockIndex) => {
    if ('text' in block) {
      for (const text of mockStreamPieces(block.text)) frames.push(content(event('contentBlockDelta', { contentBlockIndex, delta: { text } })));
    } else {
      const { toolUseId, name, input } = block.toolUse;
      frames.push(content(event('contentBlockStart', { contentBlockIndex, start: { toolUse: { toolUseId, name } } })));
      for (const fragment of argumentFragments(JSON.stringify(input))) {
        frames.push(content(event('contentBlockDelta', { contentBlockIndex, delta: { toolUse: { input: fragment } } })));
      }
    }
    frames.push(other(event('contentBlockStop', { contentBlockIndex })));
  });
  frames.push(final(event('messageStop', { stopReason: reply.stopReason })));
  frames.push(final(event('metadata', { usage: reply.usage, metrics: reply.metrics })));
  return {
    contentType: 'application/vnd.amazon.eventstream',
    headers: { 'x-amzn-requestid': randomUUID() },
    frames,
    error: MODEL_STREAM_ERROR,
  };
}
