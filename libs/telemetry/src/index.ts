export { TelemetryModule } from './telemetry.module';
export { REDACTED_PATHS } from './logging';
export { Logger as AppLogger } from 'nestjs-pino';
export { boot } from './boot';
