import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { BedrockOptions } from './bedrock-options';

/** The request as it will go on the wire; the signature covers exactly these bytes. */
export interface UnsignedRequest {
  method: 'GET' | 'POST';
  /** Host and port as undici sends them in the `host` header. */
  host: string;
  /** The full path, already percent-encoded once, with its query string if any. */
  path: string;
  headers: Record<string, string>;
  body: string;
}

function splitQuery(path: string): { path: string; query: Record<string, string | string[]> } {
  const at = path.indexOf('?');
  if (at < 0) return { path, query: {} };
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(path.slice(at + 1))) {
    const seen = query[key];
    query[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return { path: path.slice(0, at), query };
}

/**
 * AWS Signature Version 4 for service `bedrock` with the official signer. The signer escapes the
 * already-encoded path a second time, as SigV4 requires for every service but S3, so a model id's
 * `:` (sent as `%3A`) is signed as `%253A`, exactly as Bedrock recomputes it.
 */
export class BedrockSigner {
  private readonly signer: SignatureV4;

  constructor(options: BedrockOptions) {
    this.signer = new SignatureV4({
      service: 'bedrock',
      region: options.region,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey, sessionToken: options.sessionToken },
      sha256: Sha256,
    });
  }

  /** The request's headers plus `host`, `x-amz-date`, `x-amz-content-sha256`, the session token and `authorization`. */
  async sign(request: UnsignedRequest, signingDate: Date = new Date()): Promise<Record<string, string>> {
    const { path, query } = splitQuery(request.path);
    const signed = await this.signer.sign(
      {
        method: request.method,
        protocol: 'https:',
        hostname: request.host,
        path,
        query,
        headers: { ...request.headers, host: request.host },
        body: request.body,
      },
      { signingDate },
    );
    return { ...signed.headers };
  }
}
