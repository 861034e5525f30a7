import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderConfig } from '@switchyard/config';
import type { ChatCompletion, ChatRequest } from '@switchyard/contracts';
import { Pool } from 'undici';
import { kindForHttpError } from '../http-error-kind';
import type { ProviderAdapter, ProviderCallContext } from '../provider-adapter';
import { ProviderError, scrubSecrets } from '../provider-error';
import { redactKey } from '../redact-key';
import { retryAfterMs } from '../retry-after';
import { readErrorBody } from './openai-error-body';
import { normalizeChatCompletion } from './openai-response';

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const MAX_MESSAGE_DETAIL = 300;
/** undici's own timeouts, which still apply when its request fails before our AbortSignal fires. */
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE_DETAIL ? `${text.slice(0, MAX_MESSAGE_DETAIL)}…` : text;
}

/**
 * Chat Completions against any OpenAI-compatible base URL (OpenAI, Azure's v1 surface, vLLM, Ollama,
 * llama.cpp, other gateways, apps/mock-provider). One keep-alive pool per provider, as many
 * connections as the provider's concurrency, so a worker never queues behind its own sockets.
 */
export class OpenAIAdapter implements ProviderAdapter {
  readonly type = 'openai';
  readonly name: string;
  private readonly pool: Pool;
  private readonly path: string;
  private readonly apiKey?: string;
  private readonly timeoutMs: number;

  constructor(config: ProviderConfig) {
    this.name = config.name;
    this.apiKey = config.apiKey || undefined;
    this.timeoutMs = config.timeoutMs;
    const base = new URL(config.baseUrl ?? DEFAULT_BASE_URL);
    // Keeps a path prefix (`/v1`, `/openai/v1`) and a query (Azure's `api-version`) of the base URL.
    this.path = `${base.pathname.replace(/\/+$/, '')}/chat/completions${base.search}`;
    this.pool = new Pool(base.origin, {
      connections: config.concurrency,
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
    });
  }

  async generate(request: ChatRequest, ctx: ProviderCallContext): Promise<ChatCompletion> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let status: number;
    let headers: IncomingHttpHeaders;
    let text: string;
    try {
      // On abort undici destroys the socket of an HTTP/1.1 request in flight, so the upstream sees
      // the connection close and can stop generating.
      const response = await this.pool.request({
        method: 'POST',
        path: this.path,
        headers: this.headers(ctx.jobId),
        body: JSON.stringify({ ...request, model: ctx.model }),
        signal: AbortSignal.any([ctx.signal, timeout]),
      });
      status = response.statusCode;
      headers = response.headers;
      text = await response.body.text();
    } catch (error) {
      throw this.transportFailure(error, ctx.signal, timeout);
    }
    if (status < 200 || status >= 300) throw this.httpFailure(status, headers, text);
    return this.completion(status, text, ctx);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private headers(jobId: string): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'x-client-request-id': jobId,
    };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    return headers;
  }

  /** Provider text on its way into a message or a stored body: no trace of the key. */
  private redact(text: string): string {
    return scrubSecrets(redactKey(text, this.apiKey));
  }

  private transportFailure(error: unknown, caller: AbortSignal, timeout: AbortSignal): ProviderError {
    // The caller's signal is checked first: a cancel that races the timeout is still a cancel.
    if (caller.aborted) return new ProviderError('canceled', `${this.name}: call canceled`);
    const code = errorCode(error);
    if (timeout.aborted || (code !== undefined && TIMEOUT_CODES.has(code))) {
      return new ProviderError('timeout', `${this.name} did not answer within ${this.timeoutMs} ms`);
    }
    const reason = error instanceof Error ? error.message : String(error);
    return new ProviderError('network', this.redact(`${this.name} unreachable: ${code ?? 'error'} (${clip(reason)})`), { cause: error });
  }

  private httpFailure(status: number, headers: IncomingHttpHeaders, text: string): ProviderError {
    const info = readErrorBody(text);
    const detail = info.message ? `: ${clip(info.message)}` : '';
    return new ProviderError(kindForHttpError(status, info.code), this.redact(`${this.name} answered ${status}${detail}`), {
      status,
      retryAfterMs: retryAfterMs(headers),
      body: this.redact(text),
    });
  }

  private completion(status: number, text: string, ctx: ProviderCallContext): ChatCompletion {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ProviderError('bad_response', `${this.name} answered ${status} with a body that is not JSON`, {
        status,
        body: this.redact(text),
      });
    }
    const fallbacks = { id: `chatcmpl-${ctx.jobId}`, model: ctx.model, created: Math.floor(Date.now() / 1000) };
    const completion = normalizeChatCompletion(json, fallbacks);
    if (!completion) {
      throw new ProviderError('bad_response', `${this.name} answered ${status} with a body that is not a chat completion`, {
        status,
        body: this.redact(text),
      });
    }
    return completion;
  }
}
