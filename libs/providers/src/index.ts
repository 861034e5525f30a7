export type { ProviderAdapter, ProviderCallContext } from './provider-adapter';
export { ProviderError, scrubSecrets, type ProviderErrorDetails, type ProviderErrorKind } from './provider-error';
export { ProviderRegistry } from './provider-registry';
export { ProvidersModule } from './providers.module';
export { PROVIDER_FAMILIES, createProviderAdapter, providerFamily, type ProviderFamily } from './provider-families';
export { applyParamPolicy, featuresUsed, unsupportedFeatures, type ChatFeature, type UnsupportedParamPolicy } from './params/param-policy';
export { ALL_CHAT_FEATURES } from './params/all-features';
export { ModelRegistry } from './registry/model-registry';
export type { ModelInfo } from './registry/model-info';
export { costUsd } from './registry/cost';
export { chatTokensUpperBound, countChatTokens, countLongestInput, requestTokenWeight, type TokenCount } from './tokens/token-counter';
export { kindForHttpError } from './http-error-kind';
export { collectStream } from './stream/collect-stream';
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
export { mockFaultAt, mockStreamPieces, type MockStreamFaults } from './mock/mock-stream';
export { mockWait } from './mock/mock-wait';
export { mockEmbeddings } from './mock/mock-embeddings';
export {
  ProviderHttpClient,
  clip,
  type ErrorClassifier,
  type ErrorReading,
  type HttpAnswer,
  type HttpCall,
  type ProviderHttpOptions,
  type StreamingAnswer,
} from './http/provider-http-client';
export { classifyOpenAIError } from './openai/openai-adapter';
export { normalizeEmbeddings } from './openai/openai-embeddings';
export { readErrorBody } from './openai/openai-error-body';
export { OpenAIAdapter, type OpenAIWireSetup } from './openai/openai-adapter';
export { AzureOpenAIAdapter } from './azure-openai/azure-openai-adapter';
export { OpenAICompatibleAdapter } from './openai-compatible/openai-compatible-adapter';
export { PRESETS as OPENAI_COMPATIBLE_PRESETS, type CompatiblePreset, type PresetName } from './openai-compatible/openai-compatible-presets';
export { AnthropicAdapter } from './anthropic/anthropic-adapter';
export { normalizeChatCompletion, type CompletionFallbacks } from './openai/openai-response';
export { GeminiAdapter } from './gemini/gemini-adapter';
export { BedrockAdapter } from './bedrock/bedrock-adapter';
export { classifyBedrockError } from './bedrock/bedrock-errors';
export { normalizeConverseResponse } from './bedrock/bedrock-response';
