import { isPlainObject, unknownKey } from './satisfies.decorator';

/** Bounds that keep one request from costing the gateway unbounded memory or CPU. */
export const CHAT_LIMITS = {
  messages: 4096,
  contentChars: 2_000_000,
  contentParts: 256,
  urlChars: 20_000_000,
  stopSequences: 4,
  stopChars: 256,
  tools: 128,
  metadataKeys: 16,
  metadataKeyChars: 64,
  metadataValueChars: 512,
} as const;

function checkContentPart(part: unknown, index: number): string | null {
  if (!isPlainObject(part)) return `[${index}] must be an object`;
  if (part.type === 'text') {
    const extra = unknownKey(part, ['type', 'text']);
    if (extra) return `[${index}] ${extra}`;
    if (typeof part.text !== 'string') return `[${index}].text must be a string`;
    if (part.text.length > CHAT_LIMITS.contentChars) return `[${index}].text is longer than ${CHAT_LIMITS.contentChars} characters`;
    return null;
  }
  if (part.type === 'image_url') {
    const extra = unknownKey(part, ['type', 'image_url']);
    if (extra) return `[${index}] ${extra}`;
    const image = part.image_url;
    if (!isPlainObject(image)) return `[${index}].image_url must be an object`;
    const extraImage = unknownKey(image, ['url', 'detail']);
    if (extraImage) return `[${index}].image_url ${extraImage}`;
    if (typeof image.url !== 'string' || !/^(https?:\/\/|data:image\/[a-z0-9.+-]+;base64,)/i.test(image.url)) {
      return `[${index}].image_url.url must be an http(s) URL or a base64 data URL`;
    }
    if (image.url.length > CHAT_LIMITS.urlChars) return `[${index}].image_url.url is too long`;
    if (image.detail !== undefined && !['auto', 'low', 'high'].includes(String(image.detail))) {
      return `[${index}].image_url.detail must be one of: auto, low, high`;
    }
    return null;
  }
  return `[${index}].type must be one of: text, image_url`;
}

export function checkMessageContent(value: unknown): string | null {
  if (value === null || value === undefined) return null; // whether null is allowed depends on the role: see checkMessage
  if (typeof value === 'string') {
    return value.length > CHAT_LIMITS.contentChars ? `is longer than ${CHAT_LIMITS.contentChars} characters` : null;
  }
  if (!Array.isArray(value)) return 'must be a string or an array of content parts';
  if (value.length === 0) return 'must not be an empty array';
  if (value.length > CHAT_LIMITS.contentParts) return `must have at most ${CHAT_LIMITS.contentParts} parts`;
  for (const [index, part] of value.entries()) {
    const reason = checkContentPart(part, index);
    if (reason) return reason;
  }
  return null;
}

export function checkStop(value: unknown): string | null {
  const sequences = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(sequences)) return 'must be a string or an array of strings';
  if (sequences.length > CHAT_LIMITS.stopSequences) return `must have at most ${CHAT_LIMITS.stopSequences} sequences`;
  const valid = sequences.every((s) => typeof s === 'string' && s.length > 0 && s.length <= CHAT_LIMITS.stopChars);
  return valid ? null : `must hold non-empty strings of at most ${CHAT_LIMITS.stopChars} characters`;
}

export function checkToolChoice(value: unknown): string | null {
  if (value === 'none' || value === 'auto' || value === 'required') return null;
  const message = "must be 'none', 'auto', 'required' or {type: 'function', function: {name}}";
  if (!isPlainObject(value) || value.type !== 'function' || unknownKey(value, ['type', 'function'])) return message;
  const fn = value.function;
  if (!isPlainObject(fn) || typeof fn.name !== 'string' || fn.name.length === 0 || unknownKey(fn, ['name'])) return message;
  return null;
}

export function checkResponseFormat(value: unknown): string | null {
  if (!isPlainObject(value)) return 'must be an object';
  if (value.type === 'text' || value.type === 'json_object') return unknownKey(value, ['type']);
  if (value.type !== 'json_schema') return 'type must be one of: text, json_object, json_schema';
  const extra = unknownKey(value, ['type', 'json_schema']);
  if (extra) return extra;
  const schema = value.json_schema;
  if (!isPlainObject(schema)) return 'json_schema must be an object';
  const extraSchema = unknownKey(schema, ['name', 'description', 'schema', 'strict']);
  if (extraSchema) return `json_schema ${extraSchema}`;
  if (typeof schema.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(schema.name)) {
    return 'json_schema.name must be 1-64 letters, digits, underscores or dashes';
  }
  if (schema.schema !== undefined && !isPlainObject(schema.schema)) return 'json_schema.schema must be an object';
  if (schema.strict !== undefined && typeof schema.strict !== 'boolean') return 'json_schema.strict must be a boolean';
  return null;
}

export function checkMetadata(value: unknown): string | null {
  if (!isPlainObject(value)) return 'must be an object of string values';
  const entries = Object.entries(value);
  if (entries.length > CHAT_LIMITS.metadataKeys) return `must have at most ${CHAT_LIMITS.metadataKeys} keys`;
  for (const [key, item] of entries) {
    if (key.length === 0 || key.length > CHAT_LIMITS.metadataKeyChars) {
      return `keys must be 1-${CHAT_LIMITS.metadataKeyChars} characters`;
    }
    if (typeof item !== 'string') return `.${key} must be a string`;
    if (item.length > CHAT_LIMITS.metadataValueChars) return `.${key} must be at most ${CHAT_LIMITS.metadataValueChars} characters`;
  }
  return null;
}

export function checkJsonObject(value: unknown): string | null {
  return isPlainObject(value) ? null : 'must be a JSON object';
}
