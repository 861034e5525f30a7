import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type SwitchyardConfig } from '@switchyard/config';
import { BatchWorkerModule, JobsModule } from '@switchyard/jobs';
import { TelemetryModule } from '@switchyard/telemetry';
import { WorkerRuntimeModule } from '@switchyard/worker';

@Module({})
export class WorkerAppModule {
  static forRoot(config: SwitchyardConfig): DynamicModule {
    return {
      module: WorkerAppModule,
      imports: [ConfigModule.forRoot(config), TelemetryModule.forRoot(config), JobsModule.forRoot(config), WorkerRuntimeModule, BatchWorkerModule],
    };
  }
}
