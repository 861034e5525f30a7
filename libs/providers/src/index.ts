export type { ProviderAdapter, ProviderCallContext } from './provider-adapter';
export { ProviderError, scrubSecrets, type ProviderErrorDetails, type ProviderErrorKind } from './provider-error';
export { ProviderRegistry } from './provider-registry';
export { ProvidersModule } from './providers.module';
export { PROVIDER_FACTORIES, createProviderAdapter, type ProviderFactory } from './provider-factories';
export { kindForHttpError } from './http-error-kind';
export { retryAfterMs } from './retry-after';
export { redactKey } from './redact-key';
export { MockAdapter } from './mock/mock-adapter';
export {
  MockDirectiveError,
  estimatePromptTokens,
  isLoremModel,
  lastUserText,
  loremIpsum,
  mockCompletion,
  parseMockDirective,
  readMockRequest,
  type MockChatInput,
  type MockDirective,
  type MockMessage,
  type ParsedMockText,
} from './mock/mock-completion';
export { mockFailure, type MockFailure, type MockFailureOptions } from './mock/mock-failure';
export { mockWait } from './mock/mock-wait';
export { OpenAIAdapter } from './openai/openai-adapter';
export { normalizeChatCompletion, type CompletionFallbacks } from './openai/openai-response';
