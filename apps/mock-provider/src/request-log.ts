/** One chat-completions request as the mock saw it; bodies are never kept beyond the user text excerpt. */
export interface RequestRecord {
  seq: number;
  received_at: string;
  model: string | null;
  /** The caller's `x-client-request-id` (Switchyard sends the job id). */
  request_id: string | null;
  /** The first characters of the last user message, directive included. */
  user_text: string;
  has_authorization: boolean;
  stream: boolean;
  /** The status sent; null while pending or when the client left first. */
  status: number | null;
  /** The client closed the connection before the response was complete. */
  aborted: boolean;
  /** Until the response was sent or the client left. */
  latency_ms: number | null;
}

export type NewRequest = Pick<RequestRecord, 'model' | 'request_id' | 'user_text' | 'has_authorization' | 'stream'>;

export interface RequestStats {
  total: number;
  aborted: number;
  /** Calls per x-client-request-id: the exactly-once check for a job. */
  by_request_id: Record<string, number>;
  /** Requests being answered right now, and the most there ever were at once since the last reset. */
  in_flight: number;
  max_in_flight: number;
}

export const DEFAULT_LOG_CAPACITY = 20_000;

/**
 * A bounded ring of recent requests plus exact counters. The ring bounds memory on long benchmarks;
 * the counters are not bounded by it, so exactly-once checks stay exact however many requests ran.
 */
export class RequestLog {
  private ring: Array<RequestRecord | undefined>;
  private next = 0;
  private seq = 0;
  private total = 0;
  private aborted = 0;
  private byRequestId = new Map<string, number>();
  private started = new Map<RequestRecord, number>();
  private maxInFlight = 0;

  constructor(private readonly capacity: number = DEFAULT_LOG_CAPACITY) {
    this.ring = new Array<RequestRecord | undefined>(capacity);
  }

  start(request: NewRequest): RequestRecord {
    const record: RequestRecord = {
      seq: ++this.seq,
      received_at: new Date().toISOString(),
      ...request,
      status: null,
      aborted: false,
      latency_ms: null,
    };
    this.ring[this.next] = record;
    this.next = (this.next + 1) % this.capacity;
    this.total++;
    if (request.request_id !== null) this.byRequestId.set(request.request_id, (this.byRequestId.get(request.request_id) ?? 0) + 1);
    this.started.set(record, performance.now());
    this.maxInFlight = Math.max(this.maxInFlight, this.started.size);
    return record;
  }

  finished(record: RequestRecord, status: number): void {
    const startedAt = this.started.get(record);
    if (startedAt === undefined) return;
    this.started.delete(record);
    record.status = status;
    record.latency_ms = Math.round(performance.now() - startedAt);
  }

  abandoned(record: RequestRecord): void {
    const startedAt = this.started.get(record);
    // Only a request of the current epoch counts: one pending across a reset must not skew the new counts.
    if (startedAt === undefined) return;
    this.started.delete(record);
    record.aborted = true;
    record.latency_ms = Math.round(performance.now() - startedAt);
    this.aborted++;
  }

  /** Oldest first; the newest `limit` when given. */
  list(limit?: number): RequestRecord[] {
    const records: RequestRecord[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const record = this.ring[(this.next + i) % this.capacity];
      if (record) records.push(record);
    }
    return limit === undefined ? records : records.slice(Math.max(0, records.length - limit));
  }

  stats(): RequestStats {
    return {
      total: this.total,
      aborted: this.aborted,
      by_request_id: Object.fromEntries(this.byRequestId),
      in_flight: this.started.size,
      max_in_flight: this.maxInFlight,
    };
  }

  reset(): void {
    this.ring = new Array<RequestRecord | undefined>(this.capacity);
    this.next = 0;
    this.seq = 0;
    this.total = 0;
    this.aborted = 0;
    this.byRequestId = new Map();
    this.started = new Map();
    this.maxInFlight = 0;
  }
}
