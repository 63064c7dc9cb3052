/**
 * One error type for the whole gateway. Handlers throw a GatewayError with a code from
 * this table; each protocol renders it into its own error shape (protocols/<p>/errors.ts).
 */
export const ERROR_CODES = {
  invalid_request: { status: 400, retryable: false },
  unsupported_parameter: { status: 400, retryable: false },
  unauthorized: { status: 401, retryable: false },
  model_not_allowed: { status: 403, retryable: false },
  /** A credential that is valid but not for this route (a client key on the admin API). */
  forbidden: { status: 403, retryable: false },
  /** An admin API resource (a key id) that does not exist. */
  not_found: { status: 404, retryable: false },
  /** A change the resource does not allow (revoking a key that lives in the config file). */
  conflict: { status: 409, retryable: false },
  model_not_found: { status: 404, retryable: false },
  route_not_found: { status: 404, retryable: false },
  method_not_allowed: { status: 405, retryable: false },
  body_too_large: { status: 413, retryable: false },
  unsupported_media_type: { status: 415, retryable: false },
  rate_limited: { status: 429, retryable: false },
  /** The key's budget for the current period is spent. */
  insufficient_quota: { status: 429, retryable: false },
  internal_error: { status: 500, retryable: false },
  upstream_error: { status: 502, retryable: true },
  no_provider: { status: 503, retryable: false },
  /** The usage ledger's store cannot be read now (the admin API). */
  ledger_unavailable: { status: 503, retryable: false },
  upstream_timeout: { status: 504, retryable: true },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface GatewayErrorOptions {
  /** The request field the error is about (OpenAI's `param`). */
  param?: string;
  /** HTTP status to use instead of the code's default, e.g. an upstream 422 passed through. */
  status?: number;
  /** Seconds, sent as `retry-after`. */
  retryAfter?: number;
  /** Extra headers the error response carries (rate-limit headers, for instance). */
  headers?: Record<string, string>;
  /** The upstream's own error type string, kept when an upstream error is passed through. */
  upstreamType?: string;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | undefined;
  readonly retryAfter: number | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly upstreamType: string | undefined;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = options.status ?? ERROR_CODES[code].status;
    this.param = options.param;
    this.retryAfter = options.retryAfter;
    this.headers = options.headers;
    this.upstreamType = options.upstreamType;
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}

/** A field the target protocol cannot express: a 400 naming the field, never a silent drop. */
export function unsupported(param: string, message: string): GatewayError {
  return new GatewayError('unsupported_parameter', message, { param });
}

export function invalidRequest(message: string, param?: string): GatewayError {
  return new GatewayError('invalid_request', message, param === undefined ? {} : { param });
}

/**
 * The one normaliser: anything thrown on the way to an answer becomes a GatewayError. Fastify's own
 * errors (bad content, a body over its ceiling) keep their 4xx; anything else is a 500 that says
 * nothing about the internals.
 */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const e = error as { code?: unknown; statusCode?: unknown; message?: unknown } | null;
  if (e !== null && typeof e === 'object') {
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new GatewayError('body_too_large', 'Request body is too large.');
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return new GatewayError('invalid_request', typeof e.message === 'string' ? e.message : 'Bad request', { status: e.statusCode });
    }
  }
  return new GatewayError('internal_error', 'Internal error.', { cause: error });
}

/** An error as an HTTP answer: the protocol's status and body, with retry-after and the error's own headers. */
export function errorAnswer(err: GatewayError, encoded: { status: number; body: unknown }): { status: number; headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(err.headers ?? {}) };
  if (err.retryAfter !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfter)));
  return { status: encoded.status, headers, body: JSON.stringify(encoded.body) };
}
