import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { RedisConnections } from '@switchyard/redis';
import { Metrics } from '@switchyard/telemetry';

/** A probe must answer within its own timeout even when Redis does not. */
const REDIS_PING_TIMEOUT_MS = 1000;

function sendJson(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function errorBody(message: string, code: string): object {
  return { error: { message, type: code === 'not_found' ? 'invalid_request_error' : 'server_error', code, param: null } };
}

/**
 * The worker's small HTTP port (`worker.health_port`): /metrics for Prometheus, /healthz for
 * liveness and /readyz for readiness (Redis answers and the worker is not stopping). Plain
 * node:http: three GET routes need no framework. Only the worker app starts it; the standalone
 * app answers the same paths on its API port.
 */
@Injectable()
export class WorkerHealthServer implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('WorkerHealth');
  private server?: Server;
  private stopping = false;

  constructor(
    private readonly config: SwitchyardConfig,
    private readonly metrics: Metrics,
    private readonly redis: RedisConnections,
  ) {}

  /**
   * Listens on the configured port; resolves with the port, or undefined when it is off or taken.
   * A taken port leaves the worker running without it: its queue work matters more than its
   * metrics, and a second worker on one host must not crash for want of a port.
   */
  async start(): Promise<number | undefined> {
    const port = this.config.worker.healthPort;
    if (port === 0) return undefined;
    const host = this.config.server.host;
    const server = createServer((req, res) => void this.handle(req, res));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
    } catch (error) {
      this.logger.warn(`worker health port ${host}:${port} unavailable (${(error as Error).message}); no /metrics, /healthz or /readyz in this process. Set worker.health_port or WORKER_HEALTH_PORT.`);
      return undefined;
    }
    this.server = server;
    this.logger.log(`worker health on http://${host}:${port} (/metrics, /healthz, /readyz)`);
    return port;
  }

  beforeApplicationShutdown(): void {
    // Not ready from the first moment of a shutdown, so an orchestrator stops counting on it.
    this.stopping = true;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://worker').pathname;
    if (req.method !== 'GET') return sendJson(res, 405, errorBody(`${req.method} is not allowed here; use GET.`, 'method_not_allowed'));
    try {
      switch (path) {
        case '/metrics':
          res.writeHead(200, { 'content-type': this.metrics.contentType }).end(await this.metrics.render());
          return;
        case '/healthz':
          return sendJson(res, 200, { status: 'ok' });
        case '/readyz':
          if (this.stopping) return sendJson(res, 503, errorBody('The worker is shutting down.', 'shutting_down'));
          return (await this.redisAnswers()) ? sendJson(res, 200, { status: 'ready' }) : sendJson(res, 503, errorBody('Redis is not reachable.', 'service_unavailable'));
        default:
          return sendJson(res, 404, errorBody(`No route ${path} on the worker health port.`, 'not_found'));
      }
    } catch (error) {
      this.logger.error(`worker health ${path}: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, errorBody('The worker could not answer.', 'internal_error'));
    }
  }

  private async redisAnswers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), REDIS_PING_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.redis.commands.ping().then(() => true, () => false), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
