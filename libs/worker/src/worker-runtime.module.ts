import { Module } from '@nestjs/common';
import { ProvidersModule } from '@switchyard/providers';
import { JobRunner } from './job-runner';
import { ProviderWorkers } from './provider-workers';

/** The provider processors. Expects ConfigModule and JobsModule in the app's root module. */
@Module({ imports: [ProvidersModule], providers: [JobRunner, ProviderWorkers] })
export class WorkerRuntimeModule {}
