import type { ChatCompletion, ChatRequest, Usage } from './chat.types';
import type { EmbeddingRequest, EmbeddingResponse } from './embedding.types';
import type { ErrorBody } from './errors';

export const JOB_STATUSES = ['queued', 'active', 'succeeded', 'failed', 'canceled', 'expired'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_JOB_STATUSES: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'canceled', 'expired']);

export const JOB_TYPES = ['chat', 'embedding'] as const;
export type JobType = (typeof JOB_TYPES)[number];

/** What a job asks a provider for; `type` tells the worker which adapter method to call. */
export type JobRequest = ({ type: 'chat' } & ChatRequest) | ({ type: 'embedding' } & EmbeddingRequest);

export type JobResult = ChatCompletion | EmbeddingResponse;

/**
 * Why a provider call failed, in classes the gateway acts on: retry on the same target, fall back
 * to the next one, or fail the job at once. Configuration names them (`fail_fast`), so they are
 * part of the public contract.
 */
export const PROVIDER_ERROR_KINDS = [
  'timeout',
  'network',
  'rate_limited',
  'server_error',
  'overloaded',
  'invalid_request',
  'authentication',
  'permission',
  'context_length_exceeded',
  'content_filter',
  'not_found',
  'bad_response',
  'canceled',
  'unknown',
] as const;
export type ProviderErrorKind = (typeof PROVIDER_ERROR_KINDS)[number];

export const ROUTING_STRATEGIES = ['fallback', 'weighted', 'least-latency', 'least-queue', 'cheapest'] as const;
export type RoutingStrategy = (typeof ROUTING_STRATEGIES)[number];

export type AttemptOutcome = 'succeeded' | 'failed' | 'canceled' | 'stalled' | 'skipped';

export interface JobAttempt {
  provider: string;
  model: string;
  outcome: AttemptOutcome;
  /** Unix milliseconds. */
  started_at: number;
  latency_ms: number;
  error: ErrorBody | null;
  /** Parameters the provider could not honour and that were dropped, and similar notes. */
  warnings?: string[];
}

/** A job as clients see it (`GET /v1/jobs/:id`). Timestamps are Unix seconds, as in OpenAI objects. */
export interface JobObject {
  id: string;
  object: 'job';
  type: JobType;
  status: JobStatus;
  model: string;
  priority: number;
  metadata: Record<string, string>;
  provider: string | null;
  /** The upstream model id that produced the result. */
  provider_model: string | null;
  attempts: JobAttempt[];
  result: JobResult | null;
  error: ErrorBody | null;
  usage: Usage | null;
  /** From the model registry's prices; null when the model has none. */
  cost_usd: number | null;
  /** The result was served from the response cache or shared with an identical call: no provider call of its own. */
  cached: boolean;
  created_at: number;
  /** When the job ends `expired` if it has not finished (Unix seconds); null for no deadline. */
  expires_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  /** Set on a job that runs a line of a batch: the batch, and the line's custom_id. */
  batch_id?: string;
  custom_id?: string;
}

/** The public part of a job submission, after validation. */
export interface JobSubmission {
  request: JobRequest;
  metadata: Record<string, string>;
  priority: number;
}
