import assert from 'node:assert/strict';

/** Secrets used by the end-to-end suites; tests assert they never leave the gateway. */
export const UPSTREAM_KEY = 'sk-upstream-SECRET-7f3a9c2e1b8d4f60';
export const TEAM_A_KEY = 'sk-team-a-0123456789abcdef';
export const TEAM_B_KEY = 'sk-team-b-fedcba9876543210';

export interface GatewayConfigOptions {
  mockProviderUrl: string;
  /** worker concurrency of the `slow-upstream` provider, used to hold jobs in the queue. */
  slowConcurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  bodyLimitBytes?: number;
}

/** Two keys, the in-process mock, and the mock-provider reached through the `openai` adapter. */
export function gatewayConfig(options: GatewayConfigOptions): string {
  return `
server:
  host: 127.0.0.1
  port: 8080
  body_limit_bytes: ${options.bodyLimitBytes ?? 262144}
auth:
  keys:
    - name: team-a
      key: ${TEAM_A_KEY}
    - name: team-b
      key: \${TEAM_B_KEY}
providers:
  mock:
    type: mock
    concurrency: 50
  upstream:
    type: openai
    base_url: ${options.mockProviderUrl}/v1
    api_key: \${UPSTREAM_KEY}
    timeout_ms: 20000
    concurrency: 100
  slow-upstream:
    type: openai
    base_url: ${options.mockProviderUrl}/v1
    api_key: \${UPSTREAM_KEY}
    timeout_ms: 60000
    concurrency: ${options.slowConcurrency ?? 1}
models:
  mock-echo:
    targets: [{ provider: mock, model: echo }]
  mock-lorem:
    targets: [{ provider: mock, model: lorem }]
  gpt-mock:
    targets: [{ provider: upstream, model: gpt-4o-mini }]
  gpt-slow:
    targets: [{ provider: slow-upstream, model: gpt-4o-mini }]
retention:
  succeeded_s: 600
  failed_s: 600
worker:
  lock_duration_ms: ${options.lockDurationMs ?? 30000}
  stalled_interval_ms: ${options.stalledIntervalMs ?? 30000}
`;
}

/** Env the gateway processes need for the `${...}` references in gatewayConfig. */
export const GATEWAY_ENV = { UPSTREAM_KEY, TEAM_B_KEY };

export function chat(model: string, content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model, messages: [{ role: 'user', content }], ...extra };
}

export interface ErrorShape {
  error: { message: string; type: string; code: string | null; param: string | null };
}

/** Asserts the OpenAI error shape: exactly message, type, code and param. */
export function assertErrorShape(body: unknown, context: string): asserts body is ErrorShape {
  assert.ok(typeof body === 'object' && body !== null && 'error' in body, `${context}: no error object in ${JSON.stringify(body)}`);
  const error = (body as ErrorShape).error;
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message', 'param', 'type'], `${context}: ${JSON.stringify(body)}`);
  assert.equal(typeof error.message, 'string', context);
  assert.ok(error.message.length > 0, context);
  assert.equal(typeof error.type, 'string', context);
}

interface ChatCompletionLike {
  object: string;
  id: string;
  created: number;
  model: string;
  choices: Array<{ index: number; finish_reason: string; message: { role: string; content: string | null } }>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export function assertChatCompletion(value: unknown): asserts value is ChatCompletionLike {
  const completion = value as ChatCompletionLike;
  assert.equal(completion.object, 'chat.completion');
  assert.equal(typeof completion.id, 'string');
  assert.equal(typeof completion.created, 'number');
  assert.equal(typeof completion.model, 'string');
  assert.ok(Array.isArray(completion.choices) && completion.choices.length >= 1);
  assert.equal(completion.choices[0].index, 0);
  assert.equal(completion.choices[0].message.role, 'assistant');
  assert.equal(typeof completion.choices[0].message.content, 'string');
  assert.ok(['stop', 'length', 'tool_calls', 'content_filter'].includes(completion.choices[0].finish_reason));
  assert.equal(completion.usage.total_tokens, completion.usage.prompt_tokens + completion.usage.completion_tokens);
}

export interface JobLike {
  id: string;
  object: string;
  status: string;
  model: string;
  provider: string | null;
  result: unknown;
  error: ErrorShape['error'] | null;
  attempts: Array<{ provider: string; model: string; outcome: string; latency_ms: number }>;
  usage: unknown;
  created_at: number;
}
