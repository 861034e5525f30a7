import type { ChatCompletion, ChatRequest, Usage } from './chat.types';
import type { ErrorBody } from './errors';

export const JOB_STATUSES = ['queued', 'active', 'succeeded', 'failed', 'canceled', 'expired'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_JOB_STATUSES: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'canceled', 'expired']);

export type AttemptOutcome = 'succeeded' | 'failed' | 'canceled' | 'stalled';

export interface JobAttempt {
  provider: string;
  model: string;
  outcome: AttemptOutcome;
  /** Unix milliseconds. */
  started_at: number;
  latency_ms: number;
  error: ErrorBody | null;
}

/** A job as clients see it (`GET /v1/jobs/:id`). Timestamps are Unix seconds, as in OpenAI objects. */
export interface JobObject {
  id: string;
  object: 'job';
  status: JobStatus;
  model: string;
  priority: number;
  metadata: Record<string, string>;
  provider: string | null;
  attempts: JobAttempt[];
  result: ChatCompletion | null;
  error: ErrorBody | null;
  usage: Usage | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

/** The public part of a job submission, after validation. */
export interface JobSubmission {
  request: ChatRequest;
  metadata: Record<string, string>;
  priority: number;
}
