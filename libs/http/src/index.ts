export { HttpApiModule } from './http-api.module';
export { startHttpApp } from './bootstrap-http';
export { AdminBoardModule } from './admin';
export * from './anthropic';
