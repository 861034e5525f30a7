import type { GeminiFileDataPart, GeminiInlineDataPart } from './gemini-wire';

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

/** The image types the Gemini API documents for vision input, by file extension. */
const IMAGE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
};

function extensionType(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : IMAGE_TYPES[extension];
}

/**
 * A base64 data URL travels inline; any other URL goes as fileData for Gemini to fetch. OpenAI's
 * `detail` has no per-part equivalent and is not sent.
 */
export function imagePart(url: string): GeminiInlineDataPart | GeminiFileDataPart {
  const data = DATA_URL.exec(url);
  if (data) return { inlineData: { mimeType: data[1], data: data[2] } };
  const mimeType = extensionType(url);
  return { fileData: mimeType === undefined ? { fileUri: url } : { mimeType, fileUri: url } };
}
