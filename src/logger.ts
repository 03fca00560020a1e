import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /** Log level. @default process.env.LOOM_LOG_LEVEL ?? 'info' */
  level?: string;
  /** Human-readable output (pino-pretty) instead of JSON lines. @default false */
  pretty?: boolean;
}

/** Header and field paths that must never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'apiKey',
  'password',
];

export function createLogger({ level = process.env.LOOM_LOG_LEVEL ?? 'info', pretty = false }: LoggerOptions = {}): Logger {
  return pino({
    level,
    base: { service: 'loom' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(pretty && { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } } }),
  });
}

/** A logger that drops everything: tests and library use. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
