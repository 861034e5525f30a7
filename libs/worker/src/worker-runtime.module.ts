import { Module } from '@nestjs/common';
import { WebhookWorker } from '@switchyard/webhooks';
import { DeadlineWorker } from './deadline-worker';
import { DirectLeaseSweeper } from './direct-lease-sweeper';
import { JobExecutionModule } from './job-execution.module';
import { ProviderWorkers } from './provider-workers';
import { WorkerHealthServer } from './worker-health-server';

/** The queue processors: providers, deadlines and webhook deliveries (and the worker app's health port). Expects ConfigModule and JobsModule in the app's root module. */
@Module({ imports: [JobExecutionModule], providers: [ProviderWorkers, DeadlineWorker, WebhookWorker, DirectLeaseSweeper, WorkerHealthServer] })
export class WorkerRuntimeModule {}
