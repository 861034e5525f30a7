import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type SwitchyardConfig } from '@switchyard/config';
import { AdminBoardModule, HttpApiModule } from '@switchyard/http';
import { JobsModule } from '@switchyard/jobs';
import { TelemetryModule } from '@switchyard/telemetry';
import { DirectCallsModule } from '@switchyard/worker';

@Module({})
export class ApiAppModule {
  static forRoot(config: SwitchyardConfig): DynamicModule {
    return {
      module: ApiAppModule,
      imports: [ConfigModule.forRoot(config), TelemetryModule.forRoot(config), JobsModule.forRoot(config), HttpApiModule, AdminBoardModule.forRoot(config), ...DirectCallsModule.ifEnabled(config)],
    };
  }
}
