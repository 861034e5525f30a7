export { HttpApiModule } from './http-api.module';
export { startHttpApp } from './bootstrap-http';
export * from './anthropic';
