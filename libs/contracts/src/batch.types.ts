import type { FilePurpose } from './file.types';

export const BATCH_STATUSES = ['validating', 'failed', 'in_progress', 'finalizing', 'completed', 'expired', 'cancelling', 'cancelled'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/** The endpoints whose requests a batch may hold; each line's `url` must be the batch's endpoint. */
export const BATCH_ENDPOINTS = ['/v1/chat/completions', '/v1/embeddings'] as const;
export type BatchEndpoint = (typeof BATCH_ENDPOINTS)[number];

/** Why a batch's input was refused: the 1-based line of the input file, when one is to blame. */
export interface BatchError {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

export interface BatchRequestCounts {
  total: number;
  completed: number;
  failed: number;
}

export interface BatchUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/**
 * OpenAI's batch object. Timestamps are Unix seconds; a field with no value yet is left out, as
 * the OpenAI schema types them without null.
 */
export interface BatchObject {
  id: string;
  object: 'batch';
  endpoint: BatchEndpoint;
  errors?: { object: 'list'; data: BatchError[] };
  input_file_id: string;
  completion_window: string;
  status: BatchStatus;
  output_file_id?: string;
  error_file_id?: string;
  created_at: number;
  in_progress_at?: number;
  expires_at: number;
  finalizing_at?: number;
  completed_at?: number;
  failed_at?: number;
  expired_at?: number;
  cancelling_at?: number;
  cancelled_at?: number;
  request_counts: BatchRequestCounts;
  usage: BatchUsage;
  metadata: Record<string, string> | null;
}

/** One line of a batch's output or error file, in OpenAI's format. */
export interface BatchOutputLine {
  /** `batch_req_...`: this line's run. */
  id: string;
  custom_id: string;
  /** The answer as the endpoint would have given it; null when the request never got one. */
  response: { status_code: number; request_id: string; body: unknown } | null;
  error: { code: string; message: string } | null;
}

/** `"dry_run": true`: what the batch would be, and cost, without creating anything. */
export interface BatchDryRun {
  object: 'batch.dry_run';
  endpoint: BatchEndpoint;
  /** Request lines in the input. */
  lines: number;
  /** Prompt tokens over all valid lines, counted for each line's first target. */
  input_tokens: number;
  /**
   * USD over the valid lines whose targets have registry prices: `min` is every line on its
   * cheapest target with no output, `max` every line on its dearest with its full output budget.
   */
  cost_usd: { min: number; max: number } | null;
  /** Lines no target has a price for (not in `cost_usd`). */
  unpriced_lines: number;
  /** Rough seconds to run every line, from the targets' rate limits, observed speed and queues. */
  eta_s: number | null;
  errors: { object: 'list'; data: BatchError[] } | null;
}

/** The purpose of a batch's output and error files. */
export const BATCH_OUTPUT_PURPOSE: FilePurpose = 'batch_output';
