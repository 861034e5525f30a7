import { ChatRequestDto, validateBody, type JobRequest } from '@switchyard/contracts';
import type { AnthropicMessagesRequestDto } from './anthropic-messages.dto';
import { toChatRequest } from './to-chat-request';

/**
 * The chat job an Anthropic request runs as. The translation then goes through the checks a chat
 * job body gets, so both entries hold one set of rules (limits, tool call ids, roles).
 */
export function toChatJobRequest(body: AnthropicMessagesRequestDto): JobRequest {
  const request = toChatRequest(body);
  validateBody(ChatRequestDto, request);
  return { type: 'chat', ...request };
}
