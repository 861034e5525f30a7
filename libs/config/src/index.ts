export { ConfigError } from './config-error';
export { MODEL_CAPABILITIES, PROVIDER_TYPES } from './config.schema';
export { ConfigModule } from './config.module';
export { loadConfig } from './load-config';
export {
  SwitchyardConfig,
  type ApiKeyConfig,
  type ModelConfig,
  type ModelRegistryEntry,
  type ModelTarget,
  type ProviderConfig,
  type RedisConfig,
  type RetentionConfig,
  type ServerConfig,
  type WorkerConfig,
} from './switchyard-config';
