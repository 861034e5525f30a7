import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { Metrics } from '@switchyard/telemetry';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorAnswer } from './error-answer';
import { fromParserError } from './parser-errors';
import { countTenantRejection } from './tenant-rejections';

/**
 * Every error of every route, and of the body parsing before it, becomes one HTTP answer here,
 * in the shape the request's path speaks (see errorAnswer).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  constructor(
    private readonly metrics: Metrics,
    private readonly config: SwitchyardConfig,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const error = fromParserError(exception, request.headers['content-type'], this.config.server.bodyLimitBytes);
    const { status, body, headers } = errorAnswer(request.url, error);
    countTenantRejection(this.metrics, error, host);
    if (status >= 500) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    void reply.status(status).headers(headers).send(body);
  }
}
