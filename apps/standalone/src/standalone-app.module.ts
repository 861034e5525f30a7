import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type SwitchyardConfig } from '@switchyard/config';
import { AdminBoardModule, HttpApiModule } from '@switchyard/http';
import { BatchWorkerModule, JobsModule } from '@switchyard/jobs';
import { TelemetryModule } from '@switchyard/telemetry';
import { DirectCallsModule, WorkerRuntimeModule } from '@switchyard/worker';

/** The API and the workers in one process: the embedded default behind `npm start`. */
@Module({})
export class StandaloneAppModule {
  static forRoot(config: SwitchyardConfig): DynamicModule {
    return {
      module: StandaloneAppModule,
      imports: [
        ConfigModule.forRoot(config),
        TelemetryModule.forRoot(config),
        JobsModule.forRoot(config),
        HttpApiModule,
        AdminBoardModule.forRoot(config),
        WorkerRuntimeModule,
        BatchWorkerModule,
        ...DirectCallsModule.ifEnabled(config),
      ],
    };
  }
}
