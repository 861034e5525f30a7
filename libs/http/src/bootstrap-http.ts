import multipart from '@fastify/multipart';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { SwitchyardConfig } from '@switchyard/config';
import { InvalidRequestError } from '@switchyard/contracts';
import { AppLogger, requestId } from '@switchyard/telemetry';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { closeAfterLastAnswer } from './close-after-last-answer';
import { errorAnswer } from './error-answer';
import { setupOpenApi } from './openapi/openapi-document';
import { drainUnreadBodies } from './unread-body';

type EntryModule = Parameters<typeof NestFactory.create>[0];

/** Creates the Fastify-based Nest app for a root module, listening as the configuration says. */
export async function startHttpApp(
  rootModule: EntryModule,
  config: SwitchyardConfig,
  options: { shutdownHooks?: boolean } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.server.bodyLimitBytes,
    return503OnClosing: true,
    ignoreTrailingSlash: true,
    genReqId: requestId,
    // The router refuses a path that is not valid percent-encoding or has a segment past maxParamLength, before Nest sees it.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const { status, body, headers } = errorAnswer(request.url, new InvalidRequestError(`The request path is not valid (${error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a segment is too long' : 'bad percent-encoding'}).`, null, 'invalid_url'));
      void reply.status(status).headers(headers).send(body);
    },
  });
  // JSON is the only body the API takes; anything else is a 415, not a string to validate.
  adapter.getInstance().removeContentTypeParser('text/plain');
  drainUnreadBodies(adapter.getInstance());
  closeAfterLastAnswer(adapter.getInstance());
  // Body-parser errors need no handler here: Nest installs its own, which hands them to HttpErrorFilter.
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, { bufferLogs: true });
  app.useLogger(app.get(AppLogger));
  // Parsed only where a handler asks (POST /v1/files, which streams the file): nothing is buffered.
  await app.register(multipart, { limits: { fileSize: config.files.maxBytes, files: 1, fields: 10, fieldSize: 4096, parts: 12 } });
  setupOpenApi(app);
  if (options.shutdownHooks !== false) app.enableShutdownHooks();
  const logger = new Logger('Http');
  let host = config.server.host;
  if (config.auth.keys.length === 0) {
    host = '127.0.0.1';
    logger.warn('No API keys configured (auth.keys): the gateway runs OPEN and listens on 127.0.0.1 only.');
  }
  await app.listen(config.server.port, host);
  logger.log(`listening on http://${host}:${config.server.port}`);
  return app;
}
