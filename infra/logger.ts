import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stdout; one line per event. */
export function createLogger(level: string, name = 'itinera', opts: { destination?: string } = {}): Logger {
  const options = {
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Credentials never reach the logs: bearer tokens, cookies, API keys.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], remove: true },
  };
  return opts.destination ? pino(options, pino.destination({ dest: opts.destination, sync: false })) : pino(options);
}
