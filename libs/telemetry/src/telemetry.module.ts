import { Module, type DynamicModule } from '@nestjs/common';
import type { SwitchyardConfig } from '@switchyard/config';
import { LoggerModule } from 'nestjs-pino';
import { loggerParams } from './logging';

/** Structured JSON logs (pino); later issues add Prometheus metrics here. */
@Module({})
export class TelemetryModule {
  static forRoot(config: SwitchyardConfig): DynamicModule {
    return { module: TelemetryModule, imports: [LoggerModule.forRoot(loggerParams(config.log.level))], exports: [LoggerModule] };
  }
}
