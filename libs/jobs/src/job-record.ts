import type { ErrorBody, JobAttempt, JobObject, JobRequest, JobResult, JobStatus, JobType, RoutingStrategy, Usage } from '@switchyard/contracts';
import type { RouteTarget } from '@switchyard/routing';

/** The request's own cache rule: off, or on with a TTL; null leaves it to configuration. */
export type RequestCacheRule = false | { ttl_s?: number };

/** What the client asked of routing beyond the model, kept so a retry plans the same way. */
export interface RouteChoice {
  fallbackModels?: string[];
  strategy?: RoutingStrategy;
}

/** The line of a batch (POST /v1/batches) a job runs: lines are 0-based, in input order. */
export interface BatchLineRef {
  id: string;
  line: number;
  customId: string;
}

/** A job as stored in Redis. Timestamps are Unix milliseconds. */
export interface JobRecord {
  id: string;
  /** The API key name that submitted the job; only it may read or cancel it. */
  owner: string;
  type: JobType;
  status: JobStatus;
  model: string;
  priority: number;
  metadata: Record<string, string>;
  /** Carries its own `type`, so the worker knows which adapter method to call. */
  request: JobRequest;
  route: RouteChoice;
  /** The plan, in the order the targets are tried. */
  targets: RouteTarget[];
  /** Which target the job is on now. */
  targetIndex: number;
  /** Failed tries on the current target so far. */
  tries: number;
  /** Counts the job's queue entries; each move to a retry or another target is a new hop. */
  hop: number;
  /** Unix ms after which the job ends `expired` if it has not finished; null for none. */
  deadline: number | null;
  /** Where this job's events are delivered; null for none. */
  webhook: { url: string } | null;
  cache: RequestCacheRule | null;
  /** The batch line this job runs; null for a job submitted on its own. */
  batch: BatchLineRef | null;
  /** A client is reading the answer as it is generated: the worker relays chunks (JobChunks). */
  stream: boolean;
  /** The channel of the API process waiting on this job (interactive calls), told of its end. */
  notify: string | null;
  /** The result came from the response cache (or a coalesced identical call), not its own call. */
  cached: boolean;
  provider: string | null;
  providerModel: string | null;
  attempts: JobAttempt[];
  result: JobResult | null;
  error: ErrorBody | null;
  usage: Usage | null;
  costUsd: number | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

const JSON_FIELDS = ['metadata', 'request', 'route', 'webhook', 'cache', 'batch', 'targets', 'attempts', 'result', 'error', 'usage'] as const;

export function recordToHash(record: JobRecord): Record<string, string> {
  const hash: Record<string, string> = {
    owner: record.owner,
    type: record.type,
    status: record.status,
    model: record.model,
    priority: String(record.priority),
    target_index: String(record.targetIndex),
    tries: String(record.tries),
    hop: String(record.hop),
    created_at: String(record.createdAt),
  };
  for (const field of JSON_FIELDS) {
    if (record[field] !== null) hash[field] = JSON.stringify(record[field]);
  }
  if (record.deadline !== null) hash.deadline = String(record.deadline);
  if (record.cached) hash.cached = '1';
  if (record.stream) hash.stream = '1';
  if (record.notify) hash.notify = record.notify;
  if (record.provider) hash.provider = record.provider;
  if (record.providerModel) hash.provider_model = record.providerModel;
  if (record.costUsd !== null) hash.cost_usd = String(record.costUsd);
  if (record.startedAt !== null) hash.started_at = String(record.startedAt);
  if (record.finishedAt !== null) hash.finished_at = String(record.finishedAt);
  return hash;
}

function parseJson<T>(text: string | undefined, fallback: T): T {
  return text === undefined ? fallback : (JSON.parse(text) as T);
}

function parseTime(text: string | undefined): number | null {
  return text === undefined ? null : Number(text);
}

export function recordFromHash(id: string, hash: Record<string, string>): JobRecord {
  return {
    id,
    owner: hash.owner,
    type: (hash.type ?? 'chat') as JobType,
    status: hash.status as JobStatus,
    model: hash.model,
    priority: Number(hash.priority),
    metadata: parseJson(hash.metadata, {}),
    request: parseJson<JobRequest>(hash.request, { type: 'chat', model: hash.model, messages: [] }),
    route: parseJson(hash.route, {}),
    targets: parseJson(hash.targets, []),
    targetIndex: Number(hash.target_index ?? 0),
    tries: Number(hash.tries ?? 0),
    hop: Number(hash.hop ?? 0),
    deadline: parseTime(hash.deadline),
    webhook: parseJson(hash.webhook, null),
    cache: parseJson(hash.cache, null),
    batch: parseJson(hash.batch, null),
    cached: hash.cached === '1',
    stream: hash.stream === '1',
    notify: hash.notify ?? null,
    provider: hash.provider ?? null,
    providerModel: hash.provider_model ?? null,
    attempts: parseJson(hash.attempts, []),
    result: parseJson(hash.result, null),
    error: parseJson(hash.error, null),
    usage: parseJson(hash.usage, null),
    costUsd: hash.cost_usd === undefined ? null : Number(hash.cost_usd),
    createdAt: Number(hash.created_at),
    startedAt: parseTime(hash.started_at),
    finishedAt: parseTime(hash.finished_at),
  };
}

const toSeconds = (ms: number | null): number | null => (ms === null ? null : Math.floor(ms / 1000));

/** The client's view: no owner, no routing plan, no request echo. */
export function toJobObject(record: JobRecord): JobObject {
  return {
    id: record.id,
    object: 'job',
    type: record.type,
    status: record.status,
    model: record.model,
    priority: record.priority,
    metadata: record.metadata,
    provider: record.provider,
    provider_model: record.providerModel,
    attempts: record.attempts,
    result: record.result,
    error: record.error,
    usage: record.usage,
    cost_usd: record.costUsd,
    cached: record.cached,
    created_at: Math.floor(record.createdAt / 1000),
    expires_at: toSeconds(record.deadline),
    started_at: toSeconds(record.startedAt),
    finished_at: toSeconds(record.finishedAt),
    ...(record.batch && { batch_id: record.batch.id, custom_id: record.batch.customId }),
  };
}
