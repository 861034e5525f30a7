export { ConfigError } from './config-error';
export { API_KEY_NAME, API_KEY_SCOPES, DEFAULT_FAIL_FAST, MODEL_CAPABILITIES, PROVIDER_TYPES } from './config.schema';
export { ConfigModule } from './config.module';
export { loadConfig } from './load-config';
export {
  SwitchyardConfig,
  type ApiKeyConfig,
  type CacheConfig,
  type CacheMode,
  type CacheRules,
  type KeyWebhookConfig,
  type WebhookSecret,
  type WebhooksConfig,
  type CircuitBreakerConfig,
  type ProviderLimitsConfig,
  type RateLimitConfig,
  type RateLimitPolicy,
  type TenantLimitsConfig,
  type ModelConfig,
  type ModelRegistryEntry,
  type ModelTarget,
  type ProviderConfig,
  type RedisConfig,
  type RetentionConfig,
  type ServerConfig,
  type WorkerConfig,
} from './switchyard-config';
