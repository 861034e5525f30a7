import type { ChatCompletion, ChatCompletionChunk, EmbeddingResponse, JobObject } from '@switchyard/contracts';
import type { SubmitJobCommand } from '../use-cases/submit-job';

/**
 * A call a client waits on (`/v1/chat/completions`, `/v1/embeddings`, `/v1/messages`): still a
 * durable job, submitted at interactive priority, whose answer the API process waits for.
 */
export interface InteractiveCommand extends Omit<SubmitJobCommand, 'priority' | 'idempotency'> {
  /** Aborted when the client goes away; the job carries on and stays pollable. */
  signal?: AbortSignal;
}

export interface CompletedJob {
  jobId: string;
  result: ChatCompletion | EmbeddingResponse;
}

export interface StreamedJob {
  job: JobObject;
  /**
   * The job's chunks as the worker relays them, whichever process runs it. Ends after the usage
   * chunk; throws the job's error (a GatewayError) when it fails, before or after the first chunk.
   */
  chunks: AsyncIterable<ChatCompletionChunk>;
}
