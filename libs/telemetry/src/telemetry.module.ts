import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { SwitchyardConfig } from '@switchyard/config';
import { LoggerModule } from 'nestjs-pino';
import { HttpRequestMetrics } from './http-request-metrics';
import { loggerParams } from './logging';
import { MetricsModule } from './metrics.module';
import { QueueDepthGauge } from './queue-depth';

/** Structured JSON logs (pino) and Prometheus metrics (Metrics, with HTTP timings and queue depths). */
@Module({})
export class TelemetryModule {
  static forRoot(config: SwitchyardConfig): DynamicModule {
    return {
      module: TelemetryModule,
      imports: [LoggerModule.forRoot(loggerParams(config.log.level)), MetricsModule, DiscoveryModule],
      providers: [HttpRequestMetrics, QueueDepthGauge],
      exports: [LoggerModule, MetricsModule],
    };
  }
}
