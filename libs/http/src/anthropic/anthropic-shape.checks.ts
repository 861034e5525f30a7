import { CHAT_LIMITS, isPlainObject, unknownKey } from '@switchyard/contracts';

/** Tool names as the chat DTO allows them (OpenAI's limit of 64 is tighter than Anthropic's 128). */
export const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
const ID_CHARS = 256;

type Fields = Record<string, unknown>;
/** A block's problem, written to follow the block's position: `.text must be a string`, ` has unknown field 'x'`. */
type BlockCheck = (block: Fields) => string | null;

/** Block problems follow the block's position (`[2] has unknown field 'x'`), hence the space. */
function unknownField(value: Fields, allowed: readonly string[]): string | null {
  const problem = unknownKey(value, allowed);
  return problem && ` ${problem}`;
}

/** Prompt-caching hints are accepted, so Anthropic clients work unchanged, and then dropped. */
export function checkCacheControl(value: unknown): string | null {
  if (value === undefined) return null;
  const valid = isPlainObject(value) && value.type === 'ephemeral' && !unknownField(value, ['type', 'ttl']) && [undefined, '5m', '1h'].includes(value.ttl as string);
  return valid ? null : "must be {type: 'ephemeral'}, with an optional ttl of '5m' or '1h'";
}

function blockCacheControl(value: unknown): string | null {
  const problem = checkCacheControl(value);
  return problem && `.cache_control ${problem}`;
}

function checkId(value: unknown, field: string): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= ID_CHARS ? null : `.${field} must be a string of 1 to ${ID_CHARS} characters`;
}

const checkText: BlockCheck = (block) => {
  const problem = unknownField(block, ['type', 'text', 'cache_control']);
  if (problem) return problem;
  if (typeof block.text !== 'string') return '.text must be a string';
  if (block.text.length > CHAT_LIMITS.contentChars) return `.text is longer than ${CHAT_LIMITS.contentChars} characters`;
  return blockCacheControl(block.cache_control);
};

function checkImageSource(source: unknown): string | null {
  if (!isPlainObject(source)) return '.source must be an object';
  if (source.type === 'base64') {
    const extra = unknownField(source, ['type', 'media_type', 'data']);
    if (extra) return `.source${extra}`;
    if (!IMAGE_MEDIA_TYPES.includes(String(source.media_type))) return `.source.media_type must be one of: ${IMAGE_MEDIA_TYPES.join(', ')}`;
    if (typeof source.data !== 'string' || source.data.length === 0) return '.source.data must be a non-empty base64 string';
    if (source.data.length > CHAT_LIMITS.urlChars) return '.source.data is too long';
    return null;
  }
  if (source.type === 'url') {
    const extra = unknownField(source, ['type', 'url']);
    if (extra) return `.source${extra}`;
    if (typeof source.url !== 'string' || !/^https?:\/\//i.test(source.url)) return '.source.url must be an http(s) URL';
    if (source.url.length > CHAT_LIMITS.urlChars) return '.source.url is too long';
    return null;
  }
  return '.source.type must be one of: base64, url';
}

const checkImage: BlockCheck = (block) => unknownField(block, ['type', 'source', 'cache_control']) ?? checkImageSource(block.source) ?? blockCacheControl(block.cache_control);

const checkToolUse: BlockCheck = (block) => {
  const problem = unknownField(block, ['type', 'id', 'name', 'input', 'cache_control']) ?? checkId(block.id, 'id');
  if (problem) return problem;
  if (typeof block.name !== 'string' || !TOOL_NAME.test(block.name)) return '.name must be 1-64 letters, digits, underscores or dashes';
  if (!isPlainObject(block.input)) return '.input must be a JSON object';
  return blockCacheControl(block.cache_control);
};

function checkTextBlocks(value: unknown[]): string | null {
  if (value.length > CHAT_LIMITS.contentParts) return `must have at most ${CHAT_LIMITS.contentParts} blocks`;
  for (const [index, block] of value.entries()) {
    if (!isPlainObject(block) || block.type !== 'text') return `[${index}] must be a text block`;
    const problem = checkText(block);
    if (problem) return `[${index}]${problem}`;
  }
  return null;
}

const checkToolResult: BlockCheck = (block) => {
  const problem = unknownField(block, ['type', 'tool_use_id', 'content', 'is_error', 'cache_control']) ?? checkId(block.tool_use_id, 'tool_use_id');
  if (problem) return problem;
  const { content } = block;
  if (typeof content === 'string') {
    if (content.length > CHAT_LIMITS.contentChars) return `.content is longer than ${CHAT_LIMITS.contentChars} characters`;
  } else if (Array.isArray(content)) {
    // Chat tool messages carry text only, so a result's images have nowhere to go.
    const inner = checkTextBlocks(content);
    if (inner) return `.content${inner.startsWith('[') ? '' : ' '}${inner}`;
  } else if (content !== undefined) {
    return '.content must be a string or an array of text blocks';
  }
  if (block.is_error !== undefined && typeof block.is_error !== 'boolean') return '.is_error must be a boolean';
  return blockCacheControl(block.cache_control);
};

const BLOCKS_BY_ROLE: Readonly<Record<'user' | 'assistant', Readonly<Record<string, BlockCheck>>>> = {
  user: { text: checkText, image: checkImage, tool_result: checkToolResult },
  assistant: { text: checkText, tool_use: checkToolUse },
};

/** A message's content: a string, or blocks of the kinds its role may send. */
export function checkMessageContent(value: unknown, message: object): string | null {
  if (typeof value === 'string') return value.length > CHAT_LIMITS.contentChars ? `is longer than ${CHAT_LIMITS.contentChars} characters` : null;
  if (!Array.isArray(value)) return 'must be a string or an array of content blocks';
  if (value.length === 0) return 'must not be an empty array';
  if (value.length > CHAT_LIMITS.contentParts) return `must have at most ${CHAT_LIMITS.contentParts} blocks`;
  const role = (message as { role?: unknown }).role === 'assistant' ? 'assistant' : 'user';
  const checks = BLOCKS_BY_ROLE[role];
  for (const [index, block] of value.entries()) {
    if (!isPlainObject(block)) return `[${index}] must be an object`;
    const type = String(block.type);
    if (!Object.hasOwn(checks, type)) return `[${index}].type must be one of: ${Object.keys(checks).join(', ')} in ${role} messages`;
    const problem = checks[type](block);
    if (problem) return `[${index}]${problem}`;
  }
  return null;
}

/** `system`: a string or text blocks. */
export function checkSystem(value: unknown): string | null {
  if (typeof value === 'string') return value.length > CHAT_LIMITS.contentChars ? `is longer than ${CHAT_LIMITS.contentChars} characters` : null;
  if (!Array.isArray(value)) return 'must be a string or an array of text blocks';
  return checkTextBlocks(value);
}

export function checkToolChoice(value: unknown): string | null {
  const shape = "must be {type: 'auto' | 'any' | 'none'} or {type: 'tool', name}, optionally with disable_parallel_tool_use";
  if (!isPlainObject(value)) return shape;
  if (value.type === 'none') return unknownField(value, ['type']) ? shape : null;
  if (value.type === 'tool') {
    if (unknownField(value, ['type', 'name', 'disable_parallel_tool_use'])) return shape;
    if (typeof value.name !== 'string' || !TOOL_NAME.test(value.name)) return 'name must be 1-64 letters, digits, underscores or dashes';
  } else if (value.type !== 'auto' && value.type !== 'any') {
    return shape;
  } else if (unknownField(value, ['type', 'disable_parallel_tool_use'])) {
    return shape;
  }
  return value.disable_parallel_tool_use === undefined || typeof value.disable_parallel_tool_use === 'boolean' ? null : 'disable_parallel_tool_use must be a boolean';
}
