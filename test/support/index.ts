export { freePort } from './free-port';
export { PrivateRedis, type PrivateRedisOptions } from './redis-server';
export { RedisCluster, type RedisClusterOptions } from './redis-cluster';
export { clusterRequested, gatewayRedis, gatewayRedisEnv, gatewayStore, type GatewayStore, type TestRedis } from './gateway-redis';
export {
  AppProcess,
  repoRoot,
  runningProcesses,
  spawnApp,
  spawnProcess,
  stopAll,
  type AppName,
  type ExitInfo,
  type ReadyOptions,
  type SpawnAppOptions,
  type SpawnProcessOptions,
} from './processes';
export { api, type ApiClient, type ApiResponse, type RawRequestOptions, type RequestHeaders } from './http';
export { waitFor, type WaitForOptions } from './wait';
export {
  startGateway,
  startMockProvider,
  writeConfig,
  type Gateway,
  type GatewayApp,
  type MockProvider,
  type StartGatewayOptions,
} from './gateway';
export { PROVIDER_DEFAULTS } from './provider-config';
export { OPENAI_SPEC_PATH, assertMatchesOpenAISchema } from './openai-schema';
export { drain } from './drain';
export { jobStatusCounts } from './job-status-counts';
export { RoundRobinProxy } from './round-robin-proxy';
export { SCALE_APPS, scaleTopologyRequested } from './scale-topology';
export { WEBHOOK_RECEIVER_HOST, WebhookReceiver, type ReceivedWebhook, type WebhookAnswer, type WebhookReceiverOptions, type WebhookReply } from './webhook-receiver';
