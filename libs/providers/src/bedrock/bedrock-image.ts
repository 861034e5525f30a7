import { ProviderError } from '../provider-error';

/** The image formats a Converse ImageBlock accepts, by the media type a data URL declares. */
const FORMATS: Readonly<Record<string, ConverseImageFormat>> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

export type ConverseImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

export interface ConverseImage {
  format: ConverseImageFormat;
  source: { bytes: string };
}

const DATA_URL = /^data:([^;,]+)(?:;[^;,=]+=[^;,]*)*;base64,(.*)$/s;

export function isDataUrl(url: string): boolean {
  return url.startsWith('data:');
}

/**
 * A base64 data URL as a Converse image block. Converse takes the image bytes themselves (base64
 * in JSON), never a URL to fetch, so only data URLs reach this point.
 */
export function converseImage(url: string, provider: string): ConverseImage {
  const match = DATA_URL.exec(url);
  if (!match) throw new ProviderError('invalid_request', `${provider}: an image data URL must be base64-encoded (data:<type>;base64,...)`);
  const format = FORMATS[match[1].toLowerCase()];
  if (!format) {
    throw new ProviderError('invalid_request', `${provider}: image type ${match[1]} is not supported by Bedrock (png, jpeg, gif, webp)`);
  }
  return { format, source: { bytes: match[2] } };
}
