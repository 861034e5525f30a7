export { freePort } from './free-port';
export { PrivateRedis, type PrivateRedisOptions } from './redis-server';
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
export { WEBHOOK_RECEIVER_HOST, WebhookReceiver, type ReceivedWebhook, type WebhookAnswer } from './webhook-receiver';
