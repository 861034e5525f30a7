import type { ChatCompletion, ChatCompletionChunk } from '@switchyard/contracts';
import { ProviderError } from '../provider-error';
import { ChunkBuilder } from '../stream/chunk-builder';
import type { MockDirective } from './mock-completion';
import { mockWait } from './mock-wait';

/** How a mock stream misbehaves: the `stream_*` fields of a directive (or of apps/mock-provider's defaults). */
export type MockStreamFaults = Pick<MockDirective, 'stream_fail_after' | 'stream_truncate_after' | 'stream_stall_after' | 'stream_interval_ms'>;

/** A reply cut into the word pieces both mocks stream; leading whitespace stays with its word, so the pieces join back exactly. */
export function mockStreamPieces(text: string): string[] {
  return text.match(/\s*\S+\s*$|\s*\S+/g) ?? [];
}

/**
 * Which fault, if any, stops the stream before content piece number `sent` (0-based), given
 * `total` pieces: a fault set past the end of the answer strikes after its last piece, before the
 * final events, so every fault is seen whatever the answer's length.
 */
export function mockFaultAt(faults: MockStreamFaults, sent: number, total: number): 'fail' | 'truncate' | 'stall' | undefined {
  const strikes = (after: number | undefined): boolean => after !== undefined && Math.min(after, total) === sent;
  if (strikes(faults.stream_stall_after)) return 'stall';
  if (strikes(faults.stream_fail_after)) return 'fail';
  if (strikes(faults.stream_truncate_after)) return 'truncate';
  return undefined;
}

async function pause(ms: number | 'forever', signal: AbortSignal, provider: string): Promise<void> {
  try {
    await mockWait(ms, signal);
  } catch {
    throw new ProviderError('canceled', `${provider}: call canceled`);
  }
}

/**
 * The in-process mock's stream of a finished completion: one chunk per word piece, then each
 * choice's finish and the usage, with the directive's faults (a mid-stream `server_error`, a
 * truncated stream read as `bad_response`, or a stall that only an abort ends).
 */
export async function* mockCompletionStream(
  completion: ChatCompletion,
  faults: MockStreamFaults,
  signal: AbortSignal,
  provider: string,
): AsyncGenerator<ChatCompletionChunk> {
  const builder = new ChunkBuilder({ id: completion.id, model: completion.model, created: completion.created });
  const pieces = completion.choices.flatMap((choice) => mockStreamPieces(choice.message.content ?? '').map((text) => ({ index: choice.index, text })));
  for (let sent = 0; sent <= pieces.length; sent++) {
    switch (mockFaultAt(faults, sent, pieces.length)) {
      case 'stall':
        await pause('forever', signal, provider);
        break;
      case 'fail':
        throw new ProviderError('server_error', `${provider} failed mid-stream: the mock was told to fail after ${sent} chunks`);
      case 'truncate':
        throw new ProviderError('bad_response', `${provider} ended the stream before its final event`);
    }
    if (sent === pieces.length) break;
    if (sent > 0 && faults.stream_interval_ms) await pause(faults.stream_interval_ms, signal, provider);
    yield builder.content(pieces[sent].text, pieces[sent].index);
  }
  for (const choice of completion.choices) yield builder.finish(choice.finish_reason, choice.index);
  yield builder.usage(completion.usage);
}
