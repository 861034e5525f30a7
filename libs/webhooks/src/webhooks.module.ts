import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { MetricsModule } from '@switchyard/telemetry';
import { TenantsModule } from '@switchyard/tenants';
import { DeliveryLog } from './delivery-log';
import { HostResolver } from './host-resolver';
import { ListDeliveries } from './use-cases/list-deliveries';
import { Redeliver } from './use-cases/redeliver';
import { WEBHOOK_QUEUE } from './webhook-names';
import { WebhookQueue } from './webhook-queue';
import { WebhookSender } from './webhook-sender';
import { WebhookSigner } from './webhook-signer';
import { WebhookUrlGuard } from './webhook-url-guard';
import { WebhookWorker } from './webhook-worker';

const SERVICES = [HostResolver, WebhookSigner, WebhookUrlGuard, WebhookQueue, WebhookSender, DeliveryLog, ListDeliveries, Redeliver];
const QUEUE = BullModule.registerQueue({ name: WEBHOOK_QUEUE });

/**
 * Signing, URL checks, the `webhooks` queue and the delivery log. Expects ConfigModule,
 * RedisModule and BullModule.forRoot in the app (JobsModule.forRoot brings the last two).
 * Global, so the worker runtime can provide WebhookWorker without importing it again.
 */
@Global()
@Module({ imports: [QUEUE, MetricsModule, TenantsModule], providers: SERVICES, exports: [...SERVICES, QUEUE] })
export class WebhooksModule {}

/** The delivery worker, for processes that run workers; needs WebhooksModule imported by the app. */
@Module({ providers: [WebhookWorker] })
export class WebhookWorkerModule {}
