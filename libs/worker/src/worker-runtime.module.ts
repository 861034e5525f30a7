import { Module } from '@nestjs/common';
import { CacheModule } from '@switchyard/cache';
import { ProvidersModule } from '@switchyard/providers';
import { WebhookWorker } from '@switchyard/webhooks';
import { DeadlineWorker } from './deadline-worker';
import { JobRunner } from './job-runner';
import { ProviderWorkers } from './provider-workers';
import { SharedCalls } from './shared-calls';

/** The queue processors: providers, deadlines and webhook deliveries. Expects ConfigModule and JobsModule in the app's root module. */
@Module({ imports: [ProvidersModule, CacheModule], providers: [JobRunner, ProviderWorkers, DeadlineWorker, WebhookWorker, SharedCalls] })
export class WorkerRuntimeModule {}
