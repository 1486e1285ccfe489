import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs, one line per event: on stdout, or to `destination` (a file, written
 * asynchronously), or to `stream` (any stream; tests read the lines back).
 */
export function createLogger(level: string, name = 'itinera', opts: { destination?: string; stream?: DestinationStream } = {}): Logger {
  const options = {
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Credentials never reach the logs: bearer tokens, cookies, API keys.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], remove: true },
  };
  if (opts.stream) return pino(options, opts.stream);
  return opts.destination ? pino(options, pino.destination({ dest: opts.destination, sync: false })) : pino(options);
}
