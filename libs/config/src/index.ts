export { ConfigError } from './config-error';
export { PROVIDER_TYPES } from './config.schema';
export { ConfigModule } from './config.module';
export { loadConfig } from './load-config';
export {
  SwitchyardConfig,
  type ApiKeyConfig,
  type ModelConfig,
  type ModelTarget,
  type ProviderConfig,
  type RedisConfig,
  type RetentionConfig,
  type ServerConfig,
  type WorkerConfig,
} from './switchyard-config';
