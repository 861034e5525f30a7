import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';

/**
 * Redaction lives in the logger's configuration, not at call sites, so a credential that
 * reaches any log call by accident is still censored.
 */
export const REDACTED_PATHS = [
  // Request headers on the request-completed line.
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers["x-api-key"]',
  'req.headers["api-key"]',
  'req.headers["x-goog-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  // Credential fields wherever a config or provider object lands in a log call.
  'apiKey',
  'api_key',
  'secret',
  'authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.*.apiKey',
  '*.*.api_key',
  '*.*.secret',
];

/**
 * A caller's x-request-id when it looks like one, so one id follows a request across proxies;
 * otherwise a new UUID. Fastify takes it too, as it names the request before the logger sees it.
 */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
}

export function loggerParams(level: string): Params {
  return {
    // Named explicitly: nestjs-pino's default route pattern matches no route on Nest 12's
    // Fastify adapter, which left requests without their log line and reqId.
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
    pinoHttp: {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      genReqId: requestId,
      // Successful requests are the bulk of traffic: keep them at debug so info stays readable.
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug',
      // Lines logged while serving a request carry only its id (reqId); its method, URL and user
      // agent are on the line that closes it. No other header: pino-http binds the request to a
      // child logger on every request, whatever the level, and redacting a header object there
      // cost the API process about 5% of its CPU at full load; nor can a credential ride on it.
      quietReqLogger: true,
      serializers: {
        req: (req: IncomingMessage & { id: string }) => ({ id: req.id, method: req.method, url: req.url, userAgent: req.headers['user-agent'] }),
      },
    },
  };
}
