import { newUlid } from '@switchyard/contracts';

/** `job.succeeded`, `job.failed`, `job.canceled`, `batch.completed`, and whatever comes next. */
export type WebhookEventType = `${string}.${string}`;

/** Something that happened to a job or a batch, to be told to its owner's URL. */
export interface WebhookEvent {
  type: WebhookEventType;
  /** The job id or batch id. */
  subject: string;
  /** The API key name that owns the subject; its webhook secrets sign the delivery. */
  owner: string;
  url: string;
  /** The public object as GET would return it, so it never holds a provider credential. */
  payload: unknown;
  /**
   * Tells two real occurrences of one event type apart (a job retried after it failed fails
   * again: pass its hop). Enqueuing the same occurrence twice delivers it once. Default '0'.
   */
  occurrence?: string | number;
}

/** What a `webhooks` queue entry carries: one delivery of one event, retried by the schedule. */
export interface WebhookJobData {
  /** `webhook-id`: the same on every attempt, so receivers can drop duplicates. */
  msgId: string;
  type: WebhookEventType;
  subject: string;
  owner: string;
  url: string;
  payload: unknown;
  /** ISO time of the event, the `timestamp` of the body (the header's is per attempt). */
  occurredAt: string;
}

export type DeliveryOutcome = 'succeeded' | 'failed' | 'gone';

/** One attempt as the delivery log shows it (snake_case: it goes out on the API as is). */
export interface DeliveryAttempt {
  /** The delivery's `webhook-id`. */
  id: string;
  event: WebhookEventType;
  url: string;
  attempt: number;
  status: number | null;
  error: string | null;
  duration_ms: number;
  delivered_at: string;
  outcome: DeliveryOutcome;
}

export function newMessageId(): string {
  return `msg_${newUlid()}`;
}
