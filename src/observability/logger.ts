import { pino, type Logger } from 'pino';

/** Header and query names whose values never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-goog-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-goog-api-key"]',
];

export interface LoggerOptions {
  level: string;
  format: 'json' | 'pretty';
  /** Where JSON lines go; tests pass a stream to capture them. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (options.format === 'pretty') {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  if (options.destination !== undefined) return pino(base, options.destination);
  return pino(base, pino.destination({ dest: 1, sync: false }));
}

/** `?key=...` in a URL, as it may appear in a logged path. */
export function redactUrl(url: string): string {
  return url.includes('key=') ? url.replace(/([?&]key=)[^&]*/gi, '$1[redacted]') : url;
}
