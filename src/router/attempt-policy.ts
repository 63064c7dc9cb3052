import type { ErrorCode } from '../core/errors.ts';

/**
 * What an upstream's HTTP status means for the attempt: whether another target may succeed
 * (retry), what the provider's circuit books, which gateway error the client sees, and whether a
 * same-protocol error body may be passed to the client as the provider wrote it.
 */
export interface StatusVerdict {
  readonly retry: boolean;
  /** `failure`: the provider is unwell; `success`: it is alive (a client error says nothing against it). */
  readonly circuit: 'success' | 'failure';
  /** The gateway error for the client; undefined for a 2xx. */
  readonly code: ErrorCode | undefined;
  /** HTTP status the client gets. */
  readonly clientStatus: number;
  /** A same-protocol error body is already in the client's shape. */
  readonly passBody: boolean;
  /** Why, in words, for the message. */
  readonly kind: 'ok' | 'redirect' | 'credentials' | 'rate-limited' | 'unavailable' | 'client-error';
}

/**
 * The table:
 * - 2xx: the answer.
 * - 3xx: never followed (credentials must not reach another host), so an upstream error: 502, retried.
 * - 401/403: the provider rejected its own credentials: 502 naming the provider, retried.
 * - 429: retried on another target, passed through with its retry-after when none is left.
 * - 408, 409, 425, 5xx (and 529, Anthropic's overloaded): the provider is unwell: 502, retried.
 * - other 4xx (400, 404, 413, 422...): the request itself is wrong: passed through, not retried,
 *   and the provider counts as alive.
 */
export function statusVerdict(status: number): StatusVerdict {
  if (status >= 200 && status < 300) return OK;
  if (status >= 300 && status < 400) return REDIRECT;
  if (status === 401 || status === 403) return CREDENTIALS;
  if (status === 429) return RATE_LIMITED;
  if (status >= 500 || UNWELL_4XX.has(status)) return UNAVAILABLE;
  if (status >= 400) return clientError(status);
  // 1xx and other oddities: nothing a client can use.
  return UNAVAILABLE;
}

const UNWELL_4XX = new Set([408, 409, 425]);

const OK: StatusVerdict = { retry: false, circuit: 'success', code: undefined, clientStatus: 200, passBody: false, kind: 'ok' };
const REDIRECT: StatusVerdict = { retry: true, circuit: 'failure', code: 'upstream_error', clientStatus: 502, passBody: false, kind: 'redirect' };
const CREDENTIALS: StatusVerdict = { retry: true, circuit: 'failure', code: 'upstream_error', clientStatus: 502, passBody: false, kind: 'credentials' };
const RATE_LIMITED: StatusVerdict = { retry: true, circuit: 'failure', code: 'rate_limited', clientStatus: 429, passBody: false, kind: 'rate-limited' };
const UNAVAILABLE: StatusVerdict = { retry: true, circuit: 'failure', code: 'upstream_error', clientStatus: 502, passBody: false, kind: 'unavailable' };

const CLIENT_ERROR_CODES: ReadonlyMap<number, ErrorCode> = new Map([
  [404, 'model_not_found'],
  [413, 'body_too_large'],
]);

function clientError(status: number): StatusVerdict {
  return { retry: false, circuit: 'success', code: CLIENT_ERROR_CODES.get(status) ?? 'invalid_request', clientStatus: status, passBody: true, kind: 'client-error' };
}
