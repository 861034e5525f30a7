/** The BullMQ queue every webhook delivery goes through (BullMQ forbids ':' in queue names). */
export const WEBHOOK_QUEUE = 'webhooks';

/** The delivery log of one job or batch: a capped Redis list of attempts. */
export function deliveriesKey(prefix: string, subject: string): string {
  return `${prefix}:deliveries:${subject}`;
}

/** How many attempts the delivery log keeps per subject; the oldest go first. */
export const DELIVERY_LOG_CAP = 100;
