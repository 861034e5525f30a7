import { Module } from '@nestjs/common';
import { CacheModule } from '@switchyard/cache';
import { ProvidersModule } from '@switchyard/providers';
import { JobRunner } from './job-runner';
import { SharedCalls } from './shared-calls';

/** What runs one provider call of a job, for the queue processors and for direct calls alike. */
@Module({ imports: [ProvidersModule, CacheModule], providers: [JobRunner, SharedCalls], exports: [JobRunner] })
export class JobExecutionModule {}
