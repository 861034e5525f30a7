import type { ChatMessage, ChatRequest, EmbeddingRequest } from '@switchyard/contracts';
import { ProviderError } from '../provider-error';
import type { ProviderCallContext } from '../provider-adapter';
import type { CompatibleSettings } from './openai-compatible-options';

/** Moves `from` to `to`; a value already under `to` wins, so a request carrying both keeps one. */
function rename(body: Record<string, unknown>, from: string, to: string): void {
  if (body[from] === undefined) return;
  if (body[to] === undefined) body[to] = body[from];
  delete body[from];
}

function withoutName(message: ChatMessage): ChatMessage {
  const { name: _name, ...rest } = message;
  return rest;
}

function imageUrls(request: ChatRequest): string[] {
  return request.messages.flatMap((message) =>
    Array.isArray(message.content) ? message.content.flatMap((part) => (part.type === 'image_url' ? [part.image_url.url] : [])) : [],
  );
}

/**
 * OpenAI's body with the server's quirks applied: renamed fields, message names it refuses, images
 * it cannot fetch, and the fixed fields the options add.
 */
export function toCompatibleChatBody(
  request: ChatRequest,
  ctx: ProviderCallContext,
  provider: string,
  settings: CompatibleSettings,
): Record<string, unknown> {
  if (settings.dataUrlImagesOnly && imageUrls(request).some((url) => !url.startsWith('data:'))) {
    throw new ProviderError('invalid_request', `${provider} (${settings.label}) takes images only as base64 data: URLs, not links`);
  }
  const body: Record<string, unknown> = { ...request, model: ctx.model };
  if (settings.stripMessageNames && request.messages.some((message) => message.name !== undefined)) {
    body.messages = request.messages.map(withoutName);
    ctx.warn(`${provider} (${settings.label}) does not take messages[].name; dropped`);
  }
  for (const [from, to] of Object.entries(settings.rename)) rename(body, from, to);
  return { ...body, ...settings.body };
}

/** `user` is a mere hint and is dropped; a field that shapes the vectors (dimensions, encoding) is refused. */
export function toCompatibleEmbeddingsBody(
  request: EmbeddingRequest,
  ctx: ProviderCallContext,
  provider: string,
  settings: CompatibleSettings,
): Record<string, unknown> {
  const unsupported = settings.embeddingsUnsupported;
  if (unsupported === null) throw new ProviderError('invalid_request', `${provider} (${settings.label}) has no embeddings API`);
  const body: Record<string, unknown> = { ...request, model: ctx.model };
  const missing = unsupported.filter((field) => request[field] !== undefined);
  const refused = missing.filter((field) => field !== 'user');
  if (refused.length > 0) throw new ProviderError('invalid_request', `${provider} (${settings.label}) embeddings do not support: ${refused.join(', ')}`);
  if (missing.length > 0) {
    for (const field of missing) delete body[field];
    ctx.warn(`${provider} (${settings.label}) embeddings do not support ${missing.join(', ')}; dropped`);
  }
  return body;
}
