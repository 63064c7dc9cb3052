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

/** Query parameters whose values never reach a log line, compared after decoding (`%6bey` is `key`). */
const SECRET_PARAMS = /^(?:key|api[-_]?key|access[-_]?token|token|secret|password|auth)$/i;

/**
 * `?key=...` in a URL, as it may appear in a logged path. Each parameter name is decoded the way
 * the credential lookup decodes the query (URLSearchParams), so `?%6bey=K`, which authenticates,
 * is redacted too.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const parts = url.slice(q + 1).split('&');
  let changed = false;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const eq = part.indexOf('=');
    const rawName = eq === -1 ? part : part.slice(0, eq);
    const name = new URLSearchParams(`${rawName}=`).keys().next().value ?? rawName;
    if (SECRET_PARAMS.test(name.trim())) {
      parts[i] = `${rawName}=[redacted]`;
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q + 1)}${parts.join('&')}` : url;
}
