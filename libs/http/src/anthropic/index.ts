// The Anthropic Messages API's translations, exported so tests can drive them as pure functions.
export type * from './anthropic.types';
export { AnthropicMessagesRequestDto } from './anthropic-messages.dto';
export { toChatRequest } from './to-chat-request';
export { toChatJobRequest } from './chat-job-request';
export { messageIdOf, toAnthropicMessage } from './to-anthropic-message';
export { toAnthropicEvents, type EventStreamContext } from './to-anthropic-events';
export { anthropicEventFormat, sseFrame } from './anthropic-sse';
export { toAnthropicError } from './anthropic-error';
