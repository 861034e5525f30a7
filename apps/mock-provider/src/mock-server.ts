import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { mockFailure } from '@switchyard/providers';
import type { MockBehaviour } from './behaviour';
import { registerChatCompletions } from './chat-completions-route';
import { registerControlRoutes } from './control-routes';
import { registerFamilyRoutes } from './families';
import type { MockProviderOptions } from './mock-options';
import { registerModelsRoute } from './models-route';
import { DEFAULT_LOG_CAPACITY, RequestLog } from './request-log';
import { WireLog } from './wire-log';

const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;

/**
 * A fake OpenAI-compatible upstream on plain Fastify (no Nest: benchmarks must measure the gateway,
 * not the mock). Not listening yet: the caller picks host and port.
 */
export function createMockProviderServer(options: MockProviderOptions = {}): FastifyInstance {
  const app = Fastify({
    // No per-request logging: it would dominate the cost of a benchmark run.
    logger: false,
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    // Hung requests would otherwise keep close() waiting forever.
    forceCloseConnections: true,
  });
  const log = new RequestLog(options.logCapacity ?? DEFAULT_LOG_CAPACITY);
  let behaviour: MockBehaviour = {
    latency_ms: options.latencyMs ?? 0,
    error_rate: options.errorRate ?? 0,
    status: options.errorStatus ?? 500,
    hang: options.hang ?? false,
    reset: false,
    malformed_json: false,
  };
  const current = (): MockBehaviour => behaviour;
  const wire = new WireLog();
  wire.attach(app);

  const deps = { log, behaviour: current, apiKey: options.apiKey, aws: options.aws, random: options.random ?? Math.random };
  registerChatCompletions(app, deps);
  registerFamilyRoutes(app, deps);
  registerModelsRoute(app);
  registerControlRoutes(app, { log, behaviour: current, setBehaviour: (next) => (behaviour = next), wire });

  // Malformed JSON and unknown routes answer in the OpenAI error shape too, as a real upstream would.
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    const failure = mockFailure(status, { message: error.message });
    return reply.code(status).send(failure.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const failure = mockFailure(404, { message: `Unknown route ${request.method} ${request.url}`, code: 'unknown_url' });
    return reply.code(404).send(failure.body);
  });
  return app;
}
