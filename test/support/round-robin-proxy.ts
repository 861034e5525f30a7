import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Connection-scoped headers (RFC 9110 §7.6.1): they describe one hop, so each side of the proxy
 * sets its own. Everything else passes through untouched.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) kept[name] = value;
  return kept;
}

/** The raw header list minus hop-by-hop ones: keeps repeated headers and the upstream's order. */
function endToEndRaw(rawHeaders: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    if (!HOP_BY_HOP.has(name.toLowerCase())) kept.push(name, rawHeaders[i + 1] ?? '');
  }
  return kept;
}

/**
 * A load balancer for the scale-out topology: each request goes to the next upstream in turn,
 * body and answer streamed through (so SSE chunks arrive as they are written), status, headers
 * and body left as the upstream sent them. A client that goes away aborts its upstream request,
 * as it would against the api directly.
 */
export class RoundRobinProxy {
  /** Requests sent to each upstream, in `upstreams` order. */
  readonly counts: number[];
  private next = 0;
  private readonly sockets = new Set<Socket>();
  private readonly agent = new Agent({ keepAlive: true });

  private constructor(
    readonly upstreams: readonly string[],
    private readonly server: Server,
  ) {
    this.counts = upstreams.map(() => 0);
  }

  /** Listens on 127.0.0.1 on a free port. It does not keep the test process alive by itself. */
  static async start(upstreams: readonly string[]): Promise<RoundRobinProxy> {
    if (upstreams.length === 0) throw new Error('RoundRobinProxy needs at least one upstream');
    const server = createServer();
    const proxy = new RoundRobinProxy(upstreams, server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => proxy.forward(req, res));
    server.on('connection', (socket: Socket) => {
      socket.unref();
      proxy.sockets.add(socket);
      socket.once('close', () => proxy.sockets.delete(socket));
    });
    // Long-polls and streams last as long as the api lets them; the api's own limits apply.
    server.requestTimeout = 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    server.unref();
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.agent.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const index = this.next;
    this.next = (this.next + 1) % this.upstreams.length;
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    const target = new URL(req.url ?? '/', this.upstreams[index]);
    const upstream = request(
      target,
      { method: req.method, headers: { ...endToEnd(req.headers), host: req.headers.host ?? target.host }, agent: this.agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEndRaw(answer.rawHeaders));
        // Headers now, not with the first body chunk: an SSE client waits for them before any event.
        res.flushHeaders();
        answer.pipe(res);
        // The api cut the answer short: cut the client's too, rather than end it as if complete.
        answer.once('close', () => {
          if (!answer.complete) res.destroy();
        });
      },
    );
    upstream.on('error', (error) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = JSON.stringify({ error: { message: `round-robin proxy: upstream ${this.upstreams[index]} failed: ${error.message}`, type: 'server_error', code: 'bad_gateway', param: null } });
      res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
    // The client hung up before the answer ended: let the api see it too.
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }
}
