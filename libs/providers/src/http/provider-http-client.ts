import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderConfig } from '@switchyard/config';
import { Pool, type Dispatcher } from 'undici';
import { ProviderError, scrubSecrets, type ProviderErrorKind } from '../provider-error';
import { redactKey } from '../redact-key';
import { retryAfterMs } from '../retry-after';

const MAX_MESSAGE_DETAIL = 300;
/** undici's own timeouts, which still apply when its request fails before our AbortSignal fires. */
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export interface ProviderHttpOptions {
  /** The configured provider name, used in error messages. */
  name: string;
  baseUrl: string;
  concurrency: number;
  timeoutMs: number;
  /** Credential values that must never appear in an error message or stored body. */
  secrets: Array<string | undefined>;
}

export interface HttpCall {
  method?: 'GET' | 'POST';
  /** Appended to the base URL's path; may carry its own query. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** A family's reading of an error body: which class it is, and the provider's own words. */
export interface ErrorReading {
  kind: ProviderErrorKind;
  message?: string;
  /** A wait the body states (Gemini's RetryInfo), used when no retry-after header gives one. */
  retryAfterMs?: number;
}

export type ErrorClassifier = (answer: HttpAnswer) => ErrorReading;

/** A 2xx whose body is still arriving: the raw bytes, in the order the provider sends them. */
export interface StreamingAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** Fails only with ProviderError: `canceled`, `timeout` (went quiet), or `bad_response` (broke off). */
  body: AsyncIterable<Uint8Array>;
}

/**
 * The status an error event sent after a 200 is read as: the server failed mid-way, so an event
 * that names no class of its own counts as a 500 would.
 */
const MID_STREAM_STATUS = 500;

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

export function clip(text: string): string {
  return text.length > MAX_MESSAGE_DETAIL ? `${text.slice(0, MAX_MESSAGE_DETAIL)}…` : text;
}

/**
 * The HTTP plumbing every HTTP adapter shares: one keep-alive pool per provider sized to its
 * concurrency, the timeout combined with the caller's abort, transport failures classified, and
 * every provider text redacted before it can reach an error.
 */
export class ProviderHttpClient {
  readonly name: string;
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly baseQuery: string;

  /** The usual client of one configured provider: its name, pool size, timeout, and its api_key as a secret. */
  static forProvider(config: ProviderConfig, baseUrl: string, extraSecrets: Array<string | undefined> = []): ProviderHttpClient {
    return new ProviderHttpClient({
      name: config.name,
      baseUrl,
      concurrency: config.concurrency,
      timeoutMs: config.timeoutMs,
      secrets: [config.apiKey, ...extraSecrets],
    });
  }

  constructor(private readonly options: ProviderHttpOptions) {
    this.name = options.name;
    const base = new URL(options.baseUrl);
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.baseQuery = base.search.replace(/^\?/, '');
    this.pool = new Pool(base.origin, {
      connections: options.concurrency,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** The full request path: base path + path, with the base URL's query (e.g. Azure's api-version) kept. */
  pathFor(path: string): string {
    const full = `${this.basePath}${path}`;
    if (!this.baseQuery) return full;
    return `${full}${full.includes('?') ? '&' : '?'}${this.baseQuery}`;
  }

  /** Sends a request; throws `canceled`, `timeout` or `network`, never for an HTTP status. */
  async send(call: HttpCall): Promise<HttpAnswer> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    try {
      // On abort undici destroys the socket of an HTTP/1.1 request in flight, so the upstream sees
      // the connection close and can stop generating.
      const response = await this.pool.request({
        method: call.method ?? 'POST',
        path: this.pathFor(call.path),
        headers: call.headers,
        body: call.body,
        signal: AbortSignal.any([call.signal, timeout]),
      });
      return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
    } catch (error) {
      throw this.transportFailure(error, call.signal, timeout);
    }
  }

  /** Sends, then returns the parsed JSON of a 2xx; a non-2xx becomes a ProviderError through `classify`. */
  async json(call: HttpCall, classify: ErrorClassifier): Promise<{ json: unknown; answer: HttpAnswer }> {
    const answer = await this.send(call);
    if (answer.status < 200 || answer.status >= 300) throw this.httpFailure(answer, classify(answer));
    try {
      return { json: JSON.parse(answer.text) as unknown, answer };
    } catch {
      throw this.badResponse(answer, 'a body that is not JSON');
    }
  }

  /**
   * Opens a streamed call and resolves once a 2xx's headers are in; a non-2xx becomes a
   * ProviderError through `classify`, as with `json`. There is no deadline on the whole call, only
   * undici's headersTimeout and bodyTimeout (both `timeoutMs`): an answer that keeps sending is
   * healthy however long it runs, one that goes quiet for `timeoutMs` is a `timeout`. Leaving the
   * body unfinished (an early return, or the caller's abort) closes the connection.
   */
  async openStream(call: HttpCall, classify: ErrorClassifier): Promise<StreamingAnswer> {
    let response: Dispatcher.ResponseData;
    try {
      response = await this.pool.request({
        method: call.method ?? 'POST',
        path: this.pathFor(call.path),
        headers: call.headers,
        body: call.body,
        signal: call.signal,
      });
    } catch (error) {
      throw this.transportFailure(error, call.signal);
    }
    const { statusCode: status, headers, body } = response;
    if (status >= 200 && status < 300) return { status, headers, body: this.guardBody(body, call.signal) };
    let text: string;
    try {
      text = await body.text();
    } catch (error) {
      throw this.transportFailure(error, call.signal);
    }
    const answer = { status, headers, text };
    throw this.httpFailure(answer, classify(answer));
  }

  /** An error event the provider sent after the stream began, read by the family's error classifier. */
  streamError(raw: string, classify: ErrorClassifier): ProviderError {
    const reading = classify({ status: MID_STREAM_STATUS, headers: {}, text: raw });
    const detail = reading.message ? `: ${clip(reading.message)}` : '';
    return new ProviderError(reading.kind, this.redact(`${this.name} failed mid-stream${detail}`), { body: this.redact(raw) });
  }

  /** A stream the adapter cannot read to its end: `what` says how, `raw` is the offending event if any. */
  streamFailure(kind: ProviderErrorKind, what: string, raw?: string): ProviderError {
    return new ProviderError(kind, this.redact(`${this.name} ${what}`), raw === undefined ? {} : { body: this.redact(raw) });
  }

  /** One event (or NDJSON line) of a stream as JSON; anything else is a `bad_response`. */
  streamJson(raw: string, what: string): unknown {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw this.streamFailure('bad_response', `sent a ${what} that is not JSON`, raw);
    }
  }

  /** The stream ended cleanly but before the family's final event: an answer cut short. */
  streamTruncated(): ProviderError {
    return new ProviderError('bad_response', `${this.name} ended the stream before its final event`);
  }

  httpFailure(answer: HttpAnswer, reading: ErrorReading): ProviderError {
    const detail = reading.message ? `: ${clip(reading.message)}` : '';
    return new ProviderError(reading.kind, this.redact(`${this.name} answered ${answer.status}${detail}`), {
      status: answer.status,
      retryAfterMs: retryAfterMs(answer.headers) ?? reading.retryAfterMs,
      body: this.redact(answer.text),
    });
  }

  /** A 2xx the adapter cannot read as what it asked for. */
  badResponse(answer: HttpAnswer, what: string): ProviderError {
    return new ProviderError('bad_response', `${this.name} answered ${answer.status} with ${what}`, {
      status: answer.status,
      body: this.redact(answer.text),
    });
  }

  /** Provider text on its way into a message or a stored body: no trace of a credential. */
  redact(text: string): string {
    let clean = text;
    for (const secret of this.options.secrets) clean = redactKey(clean, secret);
    return scrubSecrets(clean);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Body read errors as ProviderErrors; returning early (for-await break) destroys the body, which closes the socket. */
  private async *guardBody(body: AsyncIterable<Uint8Array>, caller: AbortSignal): AsyncGenerator<Uint8Array> {
    try {
      for await (const bytes of body) yield bytes;
    } catch (error) {
      if (caller.aborted) throw new ProviderError('canceled', `${this.name}: call canceled`);
      const code = errorCode(error);
      if (code === 'UND_ERR_BODY_TIMEOUT') throw new ProviderError('timeout', `${this.name} sent nothing for ${this.options.timeoutMs} ms mid-stream`);
      const reason = error instanceof Error ? error.message : String(error);
      throw new ProviderError('bad_response', this.redact(`${this.name} broke off the stream: ${code ?? 'error'} (${clip(reason)})`), { cause: error });
    }
  }

  private transportFailure(error: unknown, caller: AbortSignal, timeout?: AbortSignal): ProviderError {
    // The caller's signal is checked first: a cancel that races the timeout is still a cancel.
    if (caller.aborted) return new ProviderError('canceled', `${this.name}: call canceled`);
    const code = errorCode(error);
    if (timeout?.aborted || (code !== undefined && TIMEOUT_CODES.has(code))) {
      return new ProviderError('timeout', `${this.name} did not answer within ${this.options.timeoutMs} ms`);
    }
    const reason = error instanceof Error ? error.message : String(error);
    return new ProviderError('network', this.redact(`${this.name} unreachable: ${code ?? 'error'} (${clip(reason)})`), { cause: error });
  }
}
