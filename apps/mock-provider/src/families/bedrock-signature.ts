import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AwsCredentials } from '../mock-options';

/**
 * An independent check of AWS Signature Version 4, computed by hand from the request as it arrived
 * (not with the signer the adapter uses), so a request signed over anything other than what was
 * sent, or with another secret, is refused as Bedrock refuses it.
 */

export interface ReceivedRequest {
  method: string;
  /** The raw request target: path as sent (percent-encoded once) and query. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The exact body bytes, as text. */
  body: string;
}

export type SignatureVerdict =
  | { ok: true; accessKeyId: string }
  | { ok: false; status: number; type: string; message: string };

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
/** AWS refuses a signature older or newer than this. */
const MAX_SKEW_MS = 5 * 60 * 1000;

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function refuse(status: number, type: string, message: string): SignatureVerdict {
  return { ok: false, status, type, message };
}

/** RFC 3986 percent-encoding: everything but unreserved characters, as SigV4 requires. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Every service but S3 encodes the already-encoded path segments once more. */
function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(uriEncode(segment));
  }
  return `/${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
}

function canonicalQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
  return rawQuery
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      const [key, value] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
      return [uriEncode(decodeURIComponent(key)), uriEncode(decodeURIComponent(value))];
    })
    .sort(([k1, v1], [k2, v2]) => (k1 === k2 ? (v1 < v2 ? -1 : 1) : k1 < k2 ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.trim().replace(/\s+/g, ' ');
}

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

export function verifySigV4(request: ReceivedRequest, credentials: AwsCredentials, now: number = Date.now()): SignatureVerdict {
  const authorization = headerValue(request.headers, 'authorization');
  if (authorization === '') return refuse(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  const parts = AUTHORIZATION.exec(authorization);
  if (!parts) return refuse(400, 'IncompleteSignature', `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.`);
  const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = parts;
  if (accessKeyId !== credentials.accessKeyId) return refuse(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (service !== 'bedrock') return refuse(403, 'InvalidSignatureException', `Credential should be scoped to correct service: 'bedrock'.`);

  const amzDate = headerValue(request.headers, 'x-amz-date');
  const date = AMZ_DATE.exec(amzDate);
  if (!date || !amzDate.startsWith(scopeDate)) return refuse(403, 'InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate}'.`);
  const signedAt = Date.UTC(+date[1], +date[2] - 1, +date[3], +date[4], +date[5], +date[6]);
  if (Math.abs(now - signedAt) > MAX_SKEW_MS) return refuse(403, 'InvalidSignatureException', `Signature expired: ${amzDate} is now earlier or later than the allowed skew.`);

  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) return refuse(403, 'InvalidSignatureException', `'Host' must be a signed header.`);
  const queryAt = request.url.indexOf('?');
  const rawPath = queryAt < 0 ? request.url : request.url.slice(0, queryAt);
  const rawQuery = queryAt < 0 ? '' : request.url.slice(queryAt + 1);
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(rawPath),
    canonicalQuery(rawQuery),
    ...signedHeaders.map((name) => `${name}:${headerValue(request.headers, name)}`),
    '',
    signedHeaderList,
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, scopeDate);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return refuse(403, 'InvalidSignatureException', MISMATCH);
  return { ok: true, accessKeyId };
}
