import type { BatchEndpoint, BatchError, BatchObject, BatchStatus } from '@switchyard/contracts';

/** A batch as stored in Redis. Timestamps are Unix milliseconds; null for not yet. */
export interface BatchRecord {
  id: string;
  /** The API key name that created the batch; only it may read or cancel it. */
  owner: string;
  status: BatchStatus;
  endpoint: BatchEndpoint;
  inputFileId: string;
  completionWindow: string;
  /** created_at + completion_window: lines not finished by then end `batch_expired`. */
  deadline: number;
  createdAt: number;
  inProgressAt: number | null;
  finalizingAt: number | null;
  completedAt: number | null;
  failedAt: number | null;
  expiredAt: number | null;
  cancellingAt: number | null;
  cancelledAt: number | null;
  /** Request lines; null until the input is validated. */
  total: number | null;
  completed: number;
  failed: number;
  /** Lines before this one have been submitted as jobs (the expansion's resume point). */
  expanded: number;
  outputFileId: string | null;
  errorFileId: string | null;
  errors: BatchError[] | null;
  metadata: Record<string, string> | null;
  webhook: { url: string } | null;
  /** How long the output and error files are kept. */
  outputTtlS: number;
  usage: { inputTokens: number; outputTokens: number; cachedTokens: number; reasoningTokens: number };
}

const TIMES = {
  inProgressAt: 'in_progress_at',
  finalizingAt: 'finalizing_at',
  completedAt: 'completed_at',
  failedAt: 'failed_at',
  expiredAt: 'expired_at',
  cancellingAt: 'cancelling_at',
  cancelledAt: 'cancelled_at',
} as const;

/** The fields a new batch is created with; the rest are written as it moves on. */
export function newBatchHash(record: BatchRecord): Record<string, string> {
  return {
    owner: record.owner,
    status: record.status,
    endpoint: record.endpoint,
    input_file_id: record.inputFileId,
    completion_window: record.completionWindow,
    deadline: String(record.deadline),
    created_at: String(record.createdAt),
    completed: '0',
    failed: '0',
    expanded: '0',
    output_ttl_s: String(record.outputTtlS),
    ...(record.metadata && { metadata: JSON.stringify(record.metadata) }),
    ...(record.webhook && { webhook: JSON.stringify(record.webhook) }),
  };
}

const time = (text: string | undefined): number | null => (text === undefined ? null : Number(text));
const count = (text: string | undefined): number => Number(text ?? 0);

export function recordFromHash(id: string, hash: Record<string, string>): BatchRecord | null {
  if (hash.status === undefined) return null;
  return {
    id,
    owner: hash.owner,
    status: hash.status as BatchStatus,
    endpoint: hash.endpoint as BatchEndpoint,
    inputFileId: hash.input_file_id,
    completionWindow: hash.completion_window,
    deadline: Number(hash.deadline),
    createdAt: Number(hash.created_at),
    inProgressAt: time(hash.in_progress_at),
    finalizingAt: time(hash.finalizing_at),
    completedAt: time(hash.completed_at),
    failedAt: time(hash.failed_at),
    expiredAt: time(hash.expired_at),
    cancellingAt: time(hash.cancelling_at),
    cancelledAt: time(hash.cancelled_at),
    total: hash.total === undefined ? null : Number(hash.total),
    completed: count(hash.completed),
    failed: count(hash.failed),
    expanded: count(hash.expanded),
    outputFileId: hash.output_file_id || null,
    errorFileId: hash.error_file_id || null,
    errors: hash.errors === undefined ? null : (JSON.parse(hash.errors) as BatchError[]),
    metadata: hash.metadata === undefined ? null : (JSON.parse(hash.metadata) as Record<string, string>),
    webhook: hash.webhook === undefined ? null : (JSON.parse(hash.webhook) as { url: string }),
    outputTtlS: Number(hash.output_ttl_s),
    usage: {
      inputTokens: count(hash.input_tokens),
      outputTokens: count(hash.output_tokens),
      cachedTokens: count(hash.cached_tokens),
      reasoningTokens: count(hash.reasoning_tokens),
    },
  };
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

/** The client's view, in OpenAI's shape: fields without a value yet are left out. */
export function toBatchObject(record: BatchRecord): BatchObject {
  const { usage } = record;
  const object: BatchObject = {
    id: record.id,
    object: 'batch',
    endpoint: record.endpoint,
    ...(record.errors && { errors: { object: 'list', data: record.errors } }),
    input_file_id: record.inputFileId,
    completion_window: record.completionWindow,
    status: record.status,
    ...(record.outputFileId && { output_file_id: record.outputFileId }),
    ...(record.errorFileId && { error_file_id: record.errorFileId }),
    created_at: seconds(record.createdAt),
    expires_at: seconds(record.deadline),
    request_counts: { total: record.total ?? 0, completed: record.completed, failed: record.failed },
    usage: {
      input_tokens: usage.inputTokens,
      input_tokens_details: { cached_tokens: usage.cachedTokens },
      output_tokens: usage.outputTokens,
      output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
      total_tokens: usage.inputTokens + usage.outputTokens,
    },
    metadata: record.metadata,
  };
  for (const [field, name] of Object.entries(TIMES) as Array<[keyof typeof TIMES, (typeof TIMES)[keyof typeof TIMES]]>) {
    const at = record[field];
    if (at !== null) object[name] = seconds(at);
  }
  return object;
}

/** Statuses after which nothing about the batch changes any more. */
export const FINAL_BATCH_STATUSES: ReadonlySet<BatchStatus> = new Set(['failed', 'completed', 'expired', 'cancelled']);
