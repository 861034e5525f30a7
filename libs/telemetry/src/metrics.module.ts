import { Global, Module } from '@nestjs/common';
import { Metrics } from './metrics';

/**
 * The process's one Metrics instance, global so every lib can record into it. Libraries whose
 * modules are also built on their own (in tests) import this too; Nest keeps one instance.
 */
@Global()
@Module({ providers: [Metrics], exports: [Metrics] })
export class MetricsModule {}
