import { Module } from '@nestjs/common';
import { CacheModule } from '@switchyard/cache';
import { ProvidersModule } from '@switchyard/providers';
import { WebhookWorker } from '@switchyard/webhooks';
import { DeadlineWorker } from './deadline-worker';
import { JobRunner } from './job-runner';
import { ProviderWorkers } from './provider-workers';
import { SharedCalls } from './shared-calls';
import { WorkerHealthServer } from './worker-health-server';

/** The queue processors: providers, deadlines and webhook deliveries (and the worker app's health port). Expects ConfigModule and JobsModule in the app's root module. */
@Module({ imports: [ProvidersModule, CacheModule], providers: [JobRunner, ProviderWorkers, DeadlineWorker, WebhookWorker, SharedCalls, WorkerHealthServer] })
export class WorkerRuntimeModule {}
