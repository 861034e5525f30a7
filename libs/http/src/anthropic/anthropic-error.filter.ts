import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { Metrics } from '@switchyard/telemetry';
import type { FastifyReply } from 'fastify';
import { countTenantRejection } from '../tenant-rejections';
import { toAnthropicError } from './anthropic-error';

/** Errors of the Anthropic-compatible routes, in Anthropic's error shape, so its SDKs read them. */
@Catch()
export class AnthropicErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  constructor(private readonly metrics: Metrics) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body, headers } = toAnthropicError(exception);
    countTenantRejection(this.metrics, exception, host);
    if (status >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    void reply.status(status).headers(headers).send(body);
  }
}
