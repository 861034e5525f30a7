import type { ChatMessage, ChatRequest, EmbeddingRequest } from '@switchyard/contracts';

/**
 * The 2024-10-21 API knows system, user, assistant and tool messages but not `developer`, which
 * OpenAI introduced as the system role's successor: it goes out as `system`, the role it replaces.
 */
function azureMessage(message: ChatMessage): ChatMessage {
  return message.role === 'developer' ? { ...message, role: 'system' } : message;
}

/**
 * The OpenAI body without `model`: the deployment in the path decides the model, and Azure's
 * request schema has no such field.
 */
export function toAzureChatBody(request: ChatRequest): Record<string, unknown> {
  const { model: _model, ...body } = request;
  return { ...body, messages: request.messages.map(azureMessage) };
}

export function toAzureEmbeddingsBody(request: EmbeddingRequest): Record<string, unknown> {
  const { model: _model, ...body } = request;
  return body;
}
