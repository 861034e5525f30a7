import fc from 'fast-check';
import { deepJson, headerValue, hostileKey, hostileNumber, hostileString, hostileValue, PROTOTYPE_KEYS, SMUGGLED_KEYS } from './hostile-values';

/** Who a request authenticates as; the test maps it to an Authorization header. */
export type Caller = 'tenant' | 'admin' | 'none' | 'wrong';

export interface FuzzRequest {
  /** The route template, for the summary (e.g. `POST /v1/jobs`). */
  endpoint: string;
  method: string;
  path: string;
  body?: string | Buffer;
  headers: Record<string, string>;
  caller: Caller;
}

interface JsonEndpoint {
  path: string;
  caller: Caller;
  /** A body the gateway accepts. */
  valid: fc.Arbitrary<Record<string, unknown>>;
  /** Fields of the contract, for mutations that hit real validation rather than only the whitelist. */
  fields: readonly string[];
  /** A required string field: setting it to a non-string makes the body invalid for sure. */
  required: string;
}

const text = fc.string({ minLength: 1, maxLength: 20 });
const userMessage = text.map((content) => ({ role: 'user', content }));
const requestLine = fc.tuple(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }), text).map(([customId, content]) => ({
  custom_id: customId,
  body: { model: 'mock-echo', messages: [{ role: 'user', content }] },
}));

const JSON_ENDPOINTS: readonly JsonEndpoint[] = [
  {
    path: '/v1/jobs',
    caller: 'tenant',
    valid: fc.oneof(
      fc.record({ model: fc.constant('mock-echo'), messages: fc.array(userMessage, { minLength: 1, maxLength: 2 }), priority: fc.integer({ min: 1, max: 10 }) }, { requiredKeys: ['model', 'messages'] }),
      fc.record({ type: fc.constant('embedding'), model: fc.constant('mock-embed'), input: text }),
    ),
    fields: ['model', 'messages', 'type', 'input', 'priority', 'metadata', 'webhook', 'idempotency_key', 'max_tokens', 'temperature', 'stream', 'tools', 'seed'],
    required: 'model',
  },
  {
    path: '/v1/chat/completions',
    caller: 'tenant',
    valid: fc.record({ model: fc.constant('mock-echo'), messages: fc.array(userMessage, { minLength: 1, maxLength: 2 }), max_tokens: fc.integer({ min: 1, max: 64 }) }, { requiredKeys: ['model', 'messages'] }),
    fields: ['model', 'messages', 'max_tokens', 'temperature', 'n', 'stop', 'stream', 'tools', 'tool_choice', 'response_format', 'metadata', 'user'],
    required: 'model',
  },
  {
    path: '/v1/embeddings',
    caller: 'tenant',
    valid: fc.record({ model: fc.constant('mock-embed'), input: fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 3 })) }),
    fields: ['model', 'input', 'dimensions', 'encoding_format', 'user'],
    required: 'model',
  },
  {
    path: '/v1/messages',
    caller: 'tenant',
    valid: fc.record({ model: fc.constant('mock-echo'), max_tokens: fc.integer({ min: 1, max: 64 }), messages: fc.array(userMessage, { minLength: 1, maxLength: 1 }), stream: fc.boolean() }, { requiredKeys: ['model', 'max_tokens', 'messages'] }),
    fields: ['model', 'max_tokens', 'messages', 'system', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'stream', 'tools', 'tool_choice', 'metadata'],
    required: 'model',
  },
  {
    path: '/v1/batches',
    caller: 'tenant',
    valid: fc.record({
      endpoint: fc.constant('/v1/chat/completions'),
      completion_window: fc.constantFrom('24h', '90m', '600s'),
      requests: fc.array(requestLine, { minLength: 1, maxLength: 3 }),
      dry_run: fc.boolean(),
    }),
    fields: ['input_file_id', 'requests', 'endpoint', 'completion_window', 'metadata', 'webhook', 'dry_run', 'output_expires_after'],
    required: 'completion_window',
  },
  {
    path: '/admin/keys',
    caller: 'admin',
    valid: fc.record({ name: fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_.'), minLength: 1, maxLength: 20 }).map((name) => `fz-${name}`), scopes: fc.constant(['jobs']) }),
    fields: ['name', 'scopes', 'limits', 'weight', 'monthly_budget_usd', 'webhook'],
    required: 'name',
  },
];

export const JSON_PATHS = JSON_ENDPOINTS.map((endpoint) => endpoint.path);

type Mutation = { kind: 'set'; key: string; value: unknown } | { kind: 'delete'; key: string } | { kind: 'set-in-message'; key: string; value: unknown };

/** Defines rather than assigns, so `__proto__` becomes an own key that JSON.stringify writes out. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function apply(body: Record<string, unknown>, mutations: readonly Mutation[]): Record<string, unknown> {
  const result: Record<string, unknown> = structuredClone(body);
  for (const mutation of mutations) {
    if (mutation.kind === 'delete') delete result[mutation.key];
    else if (mutation.kind === 'set') put(result, mutation.key, mutation.value);
    else {
      const messages = result.messages;
      if (Array.isArray(messages) && typeof messages[0] === 'object' && messages[0] !== null) put(messages[0] as Record<string, unknown>, mutation.key, mutation.value);
    }
  }
  return result;
}

function mutation(fields: readonly string[]): fc.Arbitrary<Mutation> {
  const field = fc.oneof(fc.constantFrom(...fields), hostileKey);
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), key: field, value: hostileValue }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom(...fields) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('set-in-message' as const), key: fc.oneof(fc.constantFrom('role', 'content', 'name', 'tool_call_id'), hostileKey), value: hostileValue }) },
  );
}

/** One mutation that no contract accepts: a smuggled or prototype key, or the required field as a non-string. */
function invalidating(required: string): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc.record({ kind: fc.constant('set' as const), key: fc.constantFrom(...SMUGGLED_KEYS, ...PROTOTYPE_KEYS), value: hostileValue }),
    fc.record({ kind: fc.constant('set' as const), key: fc.constant(required), value: fc.oneof(hostileNumber, fc.boolean(), fc.constant(null), fc.array(hostileString, { maxLength: 2 }), fc.constant({})) }),
  );
}

const idempotencyHeaders = fc.record(
  { 'idempotency-key': headerValue, 'x-request-id': headerValue },
  { requiredKeys: [] },
);

const jsonContentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=latin1');

/** JSON bodies for the POST endpoints: a valid body under up to three random mutations, or any JSON at all. */
export function jsonBodyRequest(options: { invalidOnly: boolean }): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...JSON_ENDPOINTS).chain((endpoint) => {
    const mutated = fc
      .tuple(endpoint.valid, fc.array(mutation(endpoint.fields), { maxLength: 3 }), options.invalidOnly ? invalidating(endpoint.required).map((m) => [m]) : fc.constant([]))
      .map(([body, random, last]) => apply(body, [...random, ...last]));
    const body: fc.Arbitrary<unknown> = options.invalidOnly ? mutated : fc.oneof({ weight: 5, arbitrary: mutated }, { weight: 1, arbitrary: hostileValue });
    return fc.record({ body, headers: idempotencyHeaders, contentType: jsonContentType }).map(({ body: value, headers, contentType }) => ({
      endpoint: `POST ${endpoint.path}`,
      method: 'POST',
      path: endpoint.path,
      body: JSON.stringify(value) ?? 'null',
      headers: { ...headers, 'content-type': contentType },
      caller: endpoint.caller,
    }));
  });
}

const RAW_CONTENT_TYPES = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/xml', 'application/octet-stream', 'application/json; charset=utf-16', ''] as const;

/** Bodies that are not a JSON object: truncated JSON, junk text and bytes, deep nesting, numbers past a double. */
const rawBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...JSON_ENDPOINTS).chain((endpoint) => endpoint.valid), fc.nat())
    .map(([body, cut]) => {
      const json = JSON.stringify(body);
      return json.slice(0, cut % json.length);
    }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  deepJson,
  fc.constantFrom('1e999', '-1e999', '{"model":1e999}', '{"max_tokens":1e999,"model":"mock-echo"}', '\uFEFF{', '{"a":1,"a":2', 'NaN', 'undefined', '{,}', '[,]', "{'model':'mock-echo'}"),
);

/** Malformed raw bodies under assorted content types, with odd idempotency and request-id headers. */
export const rawBodyRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({ path: fc.constantFrom(...JSON_PATHS), body: rawBody, contentType: fc.constantFrom(...RAW_CONTENT_TYPES), headers: idempotencyHeaders })
  .map(({ path, body, contentType, headers }) => ({
    endpoint: `POST ${path} (raw)`,
    method: 'POST',
    path,
    body,
    headers: contentType === '' ? headers : { ...headers, 'content-type': contentType },
    caller: path.startsWith('/admin') ? 'admin' : 'tenant',
  }));

const ID_ROUTES = [
  ['GET', '/v1/jobs/:id'],
  ['POST', '/v1/jobs/:id/cancel'],
  ['POST', '/v1/jobs/:id/retry'],
  ['GET', '/v1/jobs/:id/deliveries'],
  ['POST', '/v1/jobs/:id/deliveries/redeliver'],
  ['GET', '/v1/batches/:id'],
  ['POST', '/v1/batches/:id/cancel'],
  ['GET', '/v1/batches/:id/results'],
  ['POST', '/v1/batches/:id/requests/:id/cancel'],
  ['GET', '/v1/files/:id'],
  ['GET', '/v1/files/:id/content'],
  ['DELETE', '/v1/files/:id'],
  ['GET', '/v1/models/:id'],
  ['GET', '/admin/keys/:id'],
  ['DELETE', '/admin/keys/:id'],
] as const;

/** Written into the path as is: traversal, broken and overlong percent-encodings, NUL. */
const RAW_IDS = ['..', '..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e%2f', '%', '%zz', '%c0%ae%c0%ae', '%00', '....%2F%2F', '%E2%80%AE', 'job_01J0000000000000000000000Z', 'batch_%00', 'file-../x', '%20'];

const pathId = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }).map(encodeURIComponent),
  fc.constantFrom(...RAW_IDS),
  fc.tuple(fc.constantFrom('job_', 'batch_', 'file-', 'msg_', 'team-'), fc.string({ unit: 'grapheme-ascii', maxLength: 30 })).map(([prefix, rest]) => prefix + encodeURIComponent(rest)),
  fc.integer({ min: 300, max: 3_000 }).map((length) => 'a'.repeat(length)),
);

const query = fc.oneof(
  fc.constant(''),
  fc.tuple(fc.constantFrom('wait', 'limit', 'after', 'order', 'purpose'), fc.string({ unit: 'binary', maxLength: 20 })).map(([name, value]) => `?${name}=${encodeURIComponent(value)}`),
  fc.constantFrom('?wait=1e999', '?wait=-0', '?wait=0x10', '?limit=99999999999999999999', '?limit=-1', '?after=%00', '?wait=1&wait=2', '?__proto__[x]=1'),
);

/** GET, cancel, retry and deliveries of jobs, batches, files and keys with ids that exist nowhere. */
export const pathIdRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({ route: fc.constantFrom(...ID_ROUTES), ids: fc.tuple(pathId, pathId), query, headers: idempotencyHeaders })
  .map(({ route: [method, template], ids, query: search, headers }) => {
    let index = 0;
    const path = template.replace(/:id/g, () => ids[index++]) + search;
    return { endpoint: `${method} ${template}`, method, path, headers, caller: template.startsWith('/admin') ? 'admin' : 'tenant' };
  });

/** List endpoints with odd paging parameters. */
export const listRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({ path: fc.constantFrom('/v1/files', '/v1/batches', '/v1/models', '/v1/usage', '/admin/keys'), query })
  .map(({ path, query: search }) => ({ endpoint: `GET ${path}`, method: 'GET', path: path + search, headers: {}, caller: path.startsWith('/admin') ? 'admin' : 'tenant' }));
