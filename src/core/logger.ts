import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /** Log level. @default process.env.LOOM_LOG_LEVEL ?? 'info' */
  level?: string;
  /** Human-readable output (pino-pretty) instead of JSON lines. @default false */
  pretty?: boolean;
  /** Where JSON lines go (tests capture them). Ignored when `pretty`. @default stdout */
  destination?: DestinationStream;
}

/**
 * Paths that must never reach a log line. Request log lines already replace
 * credential headers (src/observability/sanitize-headers.ts); this is the
 * second layer, for anything else that logs headers or options objects.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers["proxy-authorization"]',
  'headers.cookie',
  'headers["x-api-key"]',
  'apiKey',
  'password',
  'secret',
  'token',
  '*.apiKey',
  '*.password',
  '*.secret',
  '*.token',
];

export function createLogger({
  level = process.env.LOOM_LOG_LEVEL ?? 'info',
  pretty = false,
  destination,
}: LoggerOptions = {}): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'loom' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(pretty && {
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss.l', singleLine: true, ignore: 'pid,hostname,service' },
      },
    }),
  };
  return !pretty && destination ? pino(options, destination) : pino(options);
}

/** A logger that drops everything: tests and library use. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
