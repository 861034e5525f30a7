import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Metrics } from './metrics';

/** Requests that matched no route share one label, so scanners probing random URLs add no series. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * Times every HTTP request with a Fastify onResponse hook, labelled with the route pattern
 * (`/v1/jobs/:id`), never the raw URL, which would make a series per job id. Apps without an HTTP
 * listener (the worker's application context) have no adapter, and nothing is hooked.
 */
@Injectable()
export class HttpRequestMetrics implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter?.getType() !== 'fastify') return;
    adapter.getInstance<FastifyInstance>().addHook('onResponse', (request, reply, done) => {
      this.metrics.httpRequest(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime);
      done();
    });
  }
}
