import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject, SchemaObject } from '@nestjs/swagger';
import { loadConfig } from '@switchyard/config';
import { startHttpApp } from '@switchyard/http';
import { ApiAppModule } from '../../apps/api/src/api-app.module';
import { freePort, PrivateRedis, writeConfig } from '../support';
import { TEAM_A_KEY } from './fixtures';

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Routes served by the app's own handlers, not static assets or plugin internals. */
const UNDOCUMENTED = [/^\/docs([/*]|$)/, /^\/openapi\.json$/, /^\/admin\/queues([/*]|$)/];

/**
 * Every method + path Fastify serves, read from its route tree (`printRoutes` with no common
 * prefix, so each line holds one segment and its depth is its indentation).
 */
function servedRoutes(app: NestFastifyApplication): string[] {
  const tree = app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[└├]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    stack.length = depth;
    stack.push(match[2]);
    const methods = (match[3] ?? '').split(', ').filter((method) => HTTP_METHODS.includes(method));
    const path = stack.join('').replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
    for (const method of methods) routes.push(`${method} ${path}`);
  }
  return routes;
}

/** The document's operations as `METHOD /path/:param`, the way Fastify spells them. */
function documentedRoutes(document: OpenAPIObject): Set<string> {
  const routes = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of Object.keys(item ?? {})) {
      if (HTTP_METHODS.includes(method.toUpperCase())) routes.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
    }
  }
  return routes;
}

describe('OpenAPI description', () => {
  let redis: PrivateRedis;
  let app: NestFastifyApplication;
  let baseUrl: string;

  before(async () => {
    redis = await PrivateRedis.start();
    const port = await freePort();
    const configPath = await writeConfig(`
server: { host: 127.0.0.1 }
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY} }
providers:
  mock: { type: mock }
models:
  mock-echo: { targets: [{ provider: mock, model: echo }] }
`);
    const config = loadConfig({ SWITCHYARD_CONFIG: configPath, REDIS_URL: redis.url, PORT: String(port), LOG_LEVEL: 'warn' });
    app = await startHttpApp(ApiAppModule.forRoot(config), config, { shutdownHooks: false });
    baseUrl = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('serves a valid OpenAPI 3 document at /openapi.json without an API key', async () => {
    const response = await fetch(`${baseUrl}/openapi.json`);
    assert.equal(response.status, 200);
    const document = (await response.json()) as OpenAPIObject;
    assert.match(document.openapi, /^3\./);
    await SwaggerParser.validate(structuredClone(document) as never);
  });

  it('lists every route the app serves', async () => {
    const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as OpenAPIObject;
    const documented = documentedRoutes(document);
    const served = servedRoutes(app).filter((route) => !UNDOCUMENTED.some((pattern) => pattern.test(route.split(' ')[1])));
    assert.ok(served.length >= 20, `expected the API's routes, read ${served.length}: ${served.join(', ')}`);
    assert.deepEqual(served.filter((route) => !documented.has(route)), [], 'routes served but missing from /openapi.json');
    assert.deepEqual([...documented].filter((route) => !served.includes(route)), [], 'routes described but not served');
    const PUBLIC = new Set(['/healthz', '/readyz', '/metrics']);
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!HTTP_METHODS.includes(method.toUpperCase())) continue;
        const { summary, security } = operation as { summary?: string; security?: unknown[] };
        assert.ok(summary, `${method.toUpperCase()} ${path} has a summary (@ApiOperation)`);
        if (!PUBLIC.has(path)) assert.ok(security && security.length > 0, `${method.toUpperCase()} ${path} declares its API-key security (@ApiKeyAuth)`);
      }
    }
  });

  it('describes request bodies with the DTO rules and marks keyed routes as secured', async () => {
    const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as OpenAPIObject;
    const schemas = document.components?.schemas ?? {};
    const job = schemas.CreateJobDto as SchemaObject;
    assert.deepEqual(job.required, ['model', 'messages']);
    assert.deepEqual(job.properties?.priority, { type: 'integer', minimum: 1, maximum: 10 });
    for (const name of ['ChatMessageDto', 'WebhookDto', 'ChatCompletionCallDto', 'EmbeddingCallDto', 'CreateBatchDto', 'AnthropicMessagesRequestDto']) {
      assert.ok(schemas[name] && Object.keys((schemas[name] as SchemaObject).properties ?? {}).length > 0, `${name} has properties`);
    }
    const submit = document.paths['/v1/jobs']?.post;
    assert.ok(submit?.security?.some((requirement) => 'bearer' in requirement));
    assert.equal(document.paths['/healthz']?.get?.security, undefined);
  });

  it('renders Swagger UI at /docs', async () => {
    const page = await fetch(`${baseUrl}/docs`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /swagger-ui/i);
    const init = await fetch(`${baseUrl}/docs/swagger-ui-init.js`);
    assert.equal(init.status, 200);
  });
});
