import type { ChatCompletion, ChatCompletionChunk } from '@switchyard/contracts';
import type { JobChunks } from '@switchyard/jobs';
import { collectStream } from '@switchyard/providers';

/**
 * One streaming attempt's relay: forwards each chunk to the client's reader and keeps them to
 * store the whole answer as the job's result. `sent` tells whether the attempt may still fall back.
 */
export class ChunkRelay {
  private relayed = 0;

  constructor(
    private readonly chunks: JobChunks,
    private readonly jobId: string,
  ) {}

  get sent(): boolean {
    return this.relayed > 0;
  }

  async relay(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletion> {
    const received: ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      await this.chunks.append(this.jobId, chunk);
      this.relayed++;
      received.push(chunk);
    }
    return collectStream(received);
  }
}
