import { AwaitCompletion } from './interactive/await-completion';
import { StreamCompletion } from './interactive/stream-completion';
import { JobChunks } from './interactive/job-chunks';
import { InteractiveWaiters } from './interactive/interactive-waiters';
import { BullModule } from '@nestjs/bullmq';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { SwitchyardConfig } from '@switchyard/config';
import { ProvidersModule } from '@switchyard/providers';
import { LimitsModule } from '@switchyard/limits';
import { WebhooksModule } from '@switchyard/webhooks';
import { QueueLoad, RoutingModule } from '@switchyard/routing';
import { FilesModule } from '@switchyard/files';
import { TenantsModule } from '@switchyard/tenants';
import { BATCH_SERVICES } from './batches/batch-services';
import { BATCHES_QUEUE } from './batches/batch-queue';
import { CancellationBus } from './cancellation-bus';
import { JobEvents } from './job-events';
import { DEADLINES_QUEUE, DeadlineQueue } from './deadline-queue';
import { IdempotencyKeys } from './idempotency-keys';
import { JobNotifier, RedeliverJobEvent } from './job-notifier';
import { JobStore } from './job-store';
import { PolledQueueLoad } from './polled-queue-load';
import { QueueGateway } from './queue-gateway';
import { RedisModule, SHORT_COMMANDS, bullConnection } from '@switchyard/redis';
import { RedisKeys, providerQueueName } from './redis-keys';
import { CancelJob } from './use-cases/cancel-job';
import { GetJob } from './use-cases/get-job';
import { RetryJob } from './use-cases/retry-job';
import { SubmitJob } from './use-cases/submit-job';

const SERVICES = [RedisKeys, JobStore, QueueGateway, IdempotencyKeys, DeadlineQueue, JobNotifier, RedeliverJobEvent, JobEvents, CancellationBus, SubmitJob, GetJob, CancelJob, RetryJob, AwaitCompletion, StreamCompletion, JobChunks, InteractiveWaiters, ...BATCH_SERVICES];
const QUEUE_LOAD = { provide: QueueLoad, useClass: PolledQueueLoad };

/** Job records, provider queues and the use cases over them. Imported once, by each app's root module. */
@Global()
@Module({})
export class JobsModule {
  static forRoot(config: SwitchyardConfig): DynamicModule {
    // Queue names come from configuration, so the queues are registered when the module is built.
    const queues = BullModule.registerQueue(
      ...[...config.providers.keys()].map((name) => ({ name: providerQueueName(name) })),
      { name: DEADLINES_QUEUE },
      { name: BATCHES_QUEUE },
    );
    return {
      module: JobsModule,
      imports: [
        RedisModule,
        TenantsModule,
        BullModule.forRoot({
          // The queues' own connection (adds, counts; nothing blocking): with Redis gone a command
          // fails at once instead of waiting in ioredis' offline queue, so the api answers 503.
          // Not auto-pipelined: deferring an add to the next turn of the event loop cost an
          // interactive call about 1 ms at 1 client, and saved nothing measurable at 50.
          connection: bullConnection(config.redis, { ...SHORT_COMMANDS, enableOfflineQueue: false }),
          prefix: config.redis.prefix,
        }),
        queues,
        RoutingModule,
        ProvidersModule,
        LimitsModule,
        WebhooksModule,
        FilesModule,
      ],
      providers: [...SERVICES, QUEUE_LOAD],
      exports: [...SERVICES, QUEUE_LOAD, queues, RoutingModule, LimitsModule, WebhooksModule],
    };
  }
}
