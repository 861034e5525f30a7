import { request } from 'undici';

export type RequestHeaders = Record<string, string | undefined>;

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the response says it is JSON (and parses); otherwise the text. */
  body: unknown;
  text: string;
}

export interface RawRequestOptions {
  body?: string | Buffer;
  /** Merged over the client's defaults (case-insensitive); `undefined` removes a default, e.g. authorization. */
  headers?: RequestHeaders;
  /** Headers/body timeout (default: undici's 300 s). */
  timeoutMs?: number;
}

export interface ApiClient {
  readonly baseUrl: string;
  get(path: string, headers?: RequestHeaders): Promise<ApiResponse>;
  /** JSON-encodes `body` (when given) with content-type application/json. */
  post(path: string, body?: unknown, headers?: RequestHeaders): Promise<ApiResponse>;
  put(path: string, body?: unknown, headers?: RequestHeaders): Promise<ApiResponse>;
  delete(path: string, headers?: RequestHeaders): Promise<ApiResponse>;
  raw(method: string, path: string, options?: RawRequestOptions): Promise<ApiResponse>;
}

function joinUrl(baseUrl: string, path: string): string {
  if (/^https?:\/\//i.test(path)) return path;
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function parseBody(text: string, contentType: string | string[] | undefined): unknown {
  const type = Array.isArray(contentType) ? contentType.join(',') : (contentType ?? '');
  if (!/[/+]json\b/i.test(type) || text.length === 0) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * A tiny HTTP client for tests: JSON in, JSON (or text) out, `Authorization: Bearer <key>` when a key
 * is given. Never throws on 4xx/5xx; only on network errors.
 */
export function api(baseUrl: string, key?: string): ApiClient {
  const defaults: RequestHeaders = key === undefined ? {} : { authorization: `Bearer ${key}` };

  async function raw(method: string, path: string, options: RawRequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...defaults })) if (value !== undefined) headers[name] = value;
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      const lower = name.toLowerCase();
      if (value === undefined) delete headers[lower];
      else headers[lower] = value;
    }
    const res = await request(joinUrl(baseUrl, path), {
      method: method.toUpperCase(),
      headers,
      body: options.body,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body: parseBody(text, res.headers['content-type']), text };
  }

  function withJson(method: string, path: string, body: unknown, headers?: RequestHeaders): Promise<ApiResponse> {
    if (body === undefined) return raw(method, path, { headers });
    return raw(method, path, {
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    });
  }

  return {
    baseUrl,
    get: (path, headers) => raw('GET', path, { headers }),
    post: (path, body, headers) => withJson('POST', path, body, headers),
    put: (path, body, headers) => withJson('PUT', path, body, headers),
    delete: (path, headers) => raw('DELETE', path, { headers }),
    raw,
  };
}
