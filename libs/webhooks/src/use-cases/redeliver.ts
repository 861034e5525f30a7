import { Injectable } from '@nestjs/common';
import type { WebhookEvent } from '../webhook-event';
import { WebhookQueue } from '../webhook-queue';

/**
 * Sends an event again at once, as a new delivery with its own webhook-id (a receiver that
 * already processed the first one must not drop this one as a duplicate). Resolves with that id.
 */
@Injectable()
export class Redeliver {
  constructor(private readonly queue: WebhookQueue) {}

  execute(event: WebhookEvent): Promise<string> {
    return this.queue.redeliver(event);
  }
}
