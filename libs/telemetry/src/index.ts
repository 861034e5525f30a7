export { TelemetryModule } from './telemetry.module';
export { MetricsModule } from './metrics.module';
export { Metrics, METRICS_CONTENT_TYPE, type CircuitStateName, type QueueDepth, type WebhookOutcome } from './metrics';
export { REDACTED_PATHS, requestId } from './logging';
// PinoLogger.runInContext binds fields (jobId, provider) to every line logged while a piece of work runs.
export { Logger as AppLogger, PinoLogger as LogContext } from 'nestjs-pino';
export { boot } from './boot';
