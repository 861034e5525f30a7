import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { JobStillRunningError, PRIORITY, type ChatCompletion, type ChatCompletionChunk } from '@switchyard/contracts';
import { SubmitJob } from '../use-cases/submit-job';
import { completionToChunks } from './completion-chunks';
import type { InteractiveCommand, StreamedJob } from './interactive-command';
import { JobChunks } from './job-chunks';
import { jobOutcomeError } from './job-outcome-error';

/** `stream: true`: a durable job whose chunks the worker relays here through Redis as they come. */
@Injectable()
export class StreamCompletion {
  private readonly waitS: number;

  constructor(
    private readonly submit: SubmitJob,
    private readonly chunks: JobChunks,
    config: SwitchyardConfig,
  ) {
    this.waitS = config.server.interactiveWaitS;
  }

  async execute(command: InteractiveCommand): Promise<StreamedJob> {
    const { signal, ...submit } = command;
    const { job } = await this.submit.execute({ ...submit, priority: PRIORITY.mostUrgent, stream: true });
    return { job, chunks: this.relay(job.id, signal) };
  }

  /** The wait is an idle limit: a long answer that keeps coming is healthy. */
  private async *relay(jobId: string, signal: AbortSignal | undefined): AsyncGenerator<ChatCompletionChunk> {
    let relayed = 0;
    for await (const event of this.chunks.follow(jobId, this.waitS * 1000, signal)) {
      if (event.kind === 'idle') throw new JobStillRunningError(jobId, this.waitS);
      if (event.kind === 'chunk') {
        relayed++;
        yield event.chunk;
        continue;
      }
      const { record } = event;
      if (record.status !== 'succeeded' || !record.result) throw jobOutcomeError(record);
      // Answered without a call of its own (cache hit, coalesced): nothing was relayed.
      if (relayed === 0) yield* completionToChunks(record.result as ChatCompletion);
      return;
    }
  }
}
