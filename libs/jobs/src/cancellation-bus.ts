import { Injectable } from '@nestjs/common';
import { RedisConnections, RedisSubscriber } from '@switchyard/redis';
import { RedisKeys } from './redis-keys';

/** Tells whichever worker holds an active job, on whatever machine, to abort its provider call. */
@Injectable()
export class CancellationBus {
  constructor(
    private readonly connections: RedisConnections,
    private readonly subscriber: RedisSubscriber,
    private readonly keys: RedisKeys,
  ) {}

  async announce(jobId: string): Promise<void> {
    await this.connections.commands.publish(this.keys.cancellations(), jobId);
  }

  listen(onCancel: (jobId: string) => void): Promise<() => Promise<void>> {
    return this.subscriber.subscribe(this.keys.cancellations(), onCancel);
  }
}
