import { Injectable } from '@nestjs/common';
import { DeliveryLog } from '../delivery-log';
import type { DeliveryAttempt } from '../webhook-event';

/** Every webhook attempt for one job or batch, oldest first. The caller has checked ownership. */
@Injectable()
export class ListDeliveries {
  constructor(private readonly log: DeliveryLog) {}

  execute(subject: string): Promise<DeliveryAttempt[]> {
    return this.log.list(subject);
  }
}
