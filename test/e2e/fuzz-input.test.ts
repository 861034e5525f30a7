import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { api, PrivateRedis, startGateway, stopAll, type ApiResponse, type Gateway } from '../support';
import { jsonBodyRequest, listRequest, pathIdRequest, rawBodyRequest, uploadRequest, type Caller, type FuzzRequest } from '../support/fuzz';
import { assertErrorShape, TEAM_A_KEY } from './fixtures';

const ADMIN_KEY = 'sk-admin-fuzz-0123456789abcdef';
const BODY_LIMIT = 65_536;
/** `FUZZ_RUNS=20 npm run chaos` runs twenty times the CI profile. */
const SCALE = Math.max(1, Number(process.env.FUZZ_RUNS ?? 1) || 1);
const runs = (ci: number): number => ci * SCALE;
/**
 * CI replays one fixed sequence, so it stays green or red for a reason; the long profile
 * (FUZZ_RUNS > 1) explores fresh seeds. `FUZZ_SEED=<seed from a failure report>` replays a run.
 */
const CI_SEED = 20_261_129;
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : SCALE > 1 ? undefined : CI_SEED;
/**
 * The only-invalid run with this seed once left request 1,594 (POST /v1/messages) unanswered: two
 * requests before it, an upload refused mid-body had stalled its keep-alive connection (the fix:
 * unread-body.ts; the focused test: bad-input.test.ts).
 */
const HANG_SEED = 2_049_947_076;
/** How often, in requests sent, the gateway's health is checked mid-run. */
const HEALTH_EVERY = 250;

const CONFIG = `
server: { host: 127.0.0.1, body_limit_bytes: ${BODY_LIMIT} }
auth:
  keys:
    - { name: ops, key: ${ADMIN_KEY}, scopes: [admin] }
    - { name: team-a, key: ${TEAM_A_KEY} }
providers:
  mock: { type: mock, concurrency: 50 }
models:
  mock-echo:
    targets: [{ provider: mock, model: echo }]
  mock-embed:
    targets: [{ provider: mock, model: embed }]
files: { max_bytes: 262144 }
retention: { succeeded_s: 600, failed_s: 600 }
`;

/**
 * Keys the gateway rewrites on its own whatever the requests (BullMQ's queue meta and its
 * expiring stalled-check marker). Anything else that appears during a run of only refused
 * requests is a leak.
 */
const BACKGROUND_KEY = /^sy:[^:]+:(?:meta|stalled-check)$/;

const AUTHORIZATION: Record<Caller, string | undefined> = { tenant: TEAM_A_KEY, admin: ADMIN_KEY, none: undefined, wrong: 'sk-not-a-key' };

interface AnthropicErrorShape {
  type: 'error';
  error: { type: string; message: string };
}

function assertAnthropicErrorShape(body: unknown, context: string): asserts body is AnthropicErrorShape {
  const shaped = body as AnthropicErrorShape;
  assert.equal(shaped?.type, 'error', `${context}: ${JSON.stringify(body)}`);
  assert.equal(typeof shaped.error?.type, 'string', context);
  assert.ok(typeof shaped.error.message === 'string' && shaped.error.message.length > 0, context);
}

/** Sometimes the request comes without a key or with a wrong one. */
function withStrangers(requests: fc.Arbitrary<FuzzRequest>): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(requests, fc.oneof({ weight: 18, arbitrary: fc.constant(undefined) }, fc.constantFrom<Caller>('none', 'wrong')))
    .map(([request, stranger]) => (stranger === undefined ? request : { ...request, caller: stranger }));
}

/**
 * Bodies refused on POST /v1/messages before the route runs (Fastify's JSON parser: not JSON, a
 * `__proto__` or `constructor.prototype` key, a wrong content type) have their own test below. The
 * main runs keep leaving them out, so the fixed seeds still replay the sequences they always did.
 */
const reachesMessagesRoute = (request: FuzzRequest): boolean =>
  request.path !== '/v1/messages' || (!request.endpoint.endsWith('(raw)') && !/"(?:__proto__|constructor)"/.test((request.body ?? '').toString()));

function describeRequest(request: FuzzRequest): string {
  const text = Buffer.isBuffer(request.body) ? `hex:${request.body.toString('hex')}` : request.body;
  const body = text === undefined ? '' : ` body=${JSON.stringify(text.slice(0, 400))}`;
  return `${request.method} ${request.path.slice(0, 200)} as ${request.caller} ${JSON.stringify(request.headers).slice(0, 300)}${body}`;
}

/** Requests every one of which the gateway must refuse. */
const onlyInvalid = withStrangers(
  fc.oneof(
    { weight: 9, arbitrary: jsonBodyRequest({ invalidOnly: true }).filter(reachesMessagesRoute) },
    { weight: 4, arbitrary: rawBodyRequest.filter(reachesMessagesRoute) },
    { weight: 4, arbitrary: pathIdRequest },
    { weight: 3, arbitrary: uploadRequest({ invalidOnly: true }) },
  ),
);

describe('fuzzed input to every endpoint gets 2xx or a 4xx in the error shape', () => {
  let redis: PrivateRedis;
  let gateway: Gateway;
  const byEndpoint = new Map<string, number>();
  const byStatus = new Map<number, number>();
  let sent = 0;
  /** Taken before any request: everything sent until the valid inputs start must be refused. */
  let keysAtStart = new Set<string>();
  /** The last few requests sent, newest last. */
  const recent: string[] = [];
  /** Requests of the seed replay, left out of the CI count. */
  let replayed = 0;

  before(async () => {
    redis = await PrivateRedis.start();
    gateway = await startGateway({ redis, config: CONFIG });
    keysAtStart = new Set(await redis.client().keys('*'));
  });

  after(async () => {
    const sorted = <K>(counts: Map<K, number>) => Object.fromEntries([...counts].sort(([, a], [, b]) => b - a));
    console.log(`fuzz-input: ${sent - replayed} inputs sent (+${replayed} in the seed ${HANG_SEED} replay); by endpoint ${JSON.stringify(sorted(byEndpoint))}; statuses ${JSON.stringify(sorted(byStatus))}`);
    await stopAll();
    await redis?.stop();
  });

  async function assertHealthy(): Promise<void> {
    for (const child of gateway.processes) assert.ok(child.running, `${child.name} died`);
    const health = await api(gateway.baseUrl).get('/healthz');
    assert.equal(health.status, 200, `healthz: ${health.text}`);
  }

  async function send(request: FuzzRequest): Promise<ApiResponse> {
    // A hang can depend on what came just before (same keep-alive connection), so a failure names it.
    const context = (answer: string): string => `${answer} for ${describeRequest(request)}; sent after:\n${recent.join('\n')}`;
    let response: ApiResponse;
    try {
      response = await api(gateway.baseUrl, AUTHORIZATION[request.caller]).raw(request.method, request.path, { body: request.body, headers: request.headers, timeoutMs: 10_000 });
    } catch (error) {
      const health = await api(gateway.baseUrl).raw('GET', '/healthz', { timeoutMs: 2_000 }).then((r) => `healthz ${r.status}`, (e: unknown) => `healthz unanswered: ${String(e)}`);
      throw new Error(context(`no answer (${String(error)}; meanwhile ${health})`), { cause: error });
    } finally {
      recent.push(describeRequest(request));
      if (recent.length > 5) recent.shift();
    }
    sent += 1;
    byEndpoint.set(request.endpoint, (byEndpoint.get(request.endpoint) ?? 0) + 1);
    byStatus.set(response.status, (byStatus.get(response.status) ?? 0) + 1);
    const answered = context(`${response.status}: ${response.text.slice(0, 500)}`);
    assert.ok(response.status >= 200 && response.status < 500 && !(response.status >= 300 && response.status < 400), answered);
    if (response.status >= 400) {
      if (request.method === 'POST' && request.path === '/v1/messages') assertAnthropicErrorShape(response.body, answered);
      else assertErrorShape(response.body, answered);
    }
    if (sent % HEALTH_EVERY === 0) await assertHealthy();
    return response;
  }

  async function fuzz(requests: fc.Arbitrary<FuzzRequest>, numRuns: number, check: (response: ApiResponse, request: FuzzRequest) => void = () => undefined, seed = SEED): Promise<void> {
    await fc.assert(
      fc.asyncProperty(requests, async (request) => check(await send(request), request)),
      { numRuns, seed },
    );
    await assertHealthy();
  }

  const refused = (response: ApiResponse, request: FuzzRequest): void => {
    assert.ok(response.status >= 400, `accepted an invalid input with ${response.status}: ${describeRequest(request)}: ${response.text.slice(0, 300)}`);
  };

  // On the fresh gateway, as when it was found: the same sequence reproduces the hang every time.
  it('answers every request of the only-invalid sequence that once left a POST /v1/messages unanswered', async () => {
    const before = sent;
    try {
      await fuzz(onlyInvalid, 1_600, refused, HANG_SEED);
    } finally {
      replayed = sent - before;
    }
  });

  // Before any valid input: every request here must be refused, and nothing sent so far may leave a key.
  it('refuses only-invalid inputs and leaves no Redis key behind', async () => {
    await fuzz(onlyInvalid, runs(2_000), refused);
    const left = (await redis.client().keys('*')).filter((key) => !keysAtStart.has(key) && !BACKGROUND_KEY.test(key));
    assert.deepEqual(left.sort(), [], 'keys written for rejected requests');
  });

  it('answers valid-looking and hostile JSON bodies on every POST endpoint', async () => {
    await fuzz(withStrangers(jsonBodyRequest({ invalidOnly: false }).filter(reachesMessagesRoute)), runs(1_700));
  });

  it('answers malformed raw bodies, wrong content types and odd headers', async () => {
    await fuzz(rawBodyRequest.filter(reachesMessagesRoute), runs(300));
  });

  it("answers /v1/messages bodies refused before the route in Anthropic's error shape", async () => {
    const refusedByParser = rawBodyRequest.map((request) => ({ ...request, endpoint: 'POST /v1/messages (raw)', path: '/v1/messages' }));
    await fuzz(refusedByParser, runs(50));
  });

  it('answers path ids and list parameters of jobs, batches, files and keys', async () => {
    await fuzz(withStrangers(fc.oneof({ weight: 4, arbitrary: pathIdRequest }, { weight: 1, arbitrary: listRequest })), runs(800));
  });

  it('answers multipart uploads of malformed JSONL', async () => {
    await fuzz(uploadRequest({ invalidOnly: false }), runs(400));
  });

  it(`sent at least ${runs(5_000)} inputs`, () => {
    assert.ok(sent - replayed >= runs(5_000), `only ${sent - replayed} inputs`);
  });
});
