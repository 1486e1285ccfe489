import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../infra/logger';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What a request's log lines say about it: who asked what, from where. No headers, so no credentials. */
export function requestLogFields(req: IncomingMessage & { id?: unknown; originalUrl?: string }) {
  return {
    id: req.id,
    method: req.method,
    url: req.originalUrl ?? req.url,
    remoteAddress: req.socket?.remoteAddress,
    userAgent: req.headers['user-agent'],
  };
}

/** What the line that ends a request says about the answer. */
export function responseLogFields(res: ServerResponse) {
  return { statusCode: res.statusCode, contentLength: res.getHeader('content-length') };
}

/**
 * One log line per request as it ends (method, URL, status, time taken, request id), and `req.log`
 * for the routes, bound to the request. The request id is the caller's `X-Request-Id` when it is a
 * plausible one, else a new UUID, and is echoed in the answer's `X-Request-Id`.
 *
 * The request and the answer are logged by the fields above only: pino-http's own serializers
 * copy every header of both, redacted, into a child logger made for each request (and so on every
 * request, whether or not anything else is logged), which was about a tenth of the full
 * middleware stack's CPU in `npm run bench:middleware`.
 */
export function requestLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    wrapSerializers: false,
    serializers: { req: requestLogFields, res: responseLogFields },
    genReqId(req, res) {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/healthz' },
  }) as unknown as RequestHandler;
}
