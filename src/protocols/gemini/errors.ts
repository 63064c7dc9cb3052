import type { GatewayError } from '../../core/errors.ts';
import type { SseRecord } from '../../core/stream-events.ts';
import { type GeminiErrorBody, type GeminiErrorStatus } from './wire.ts';
import { isFiniteNumber, isObject, isString, type JsonObject } from '../../core/json.ts';

/**
 * HTTP status → Google RPC status name, as the gateway's error contract fixes them (413 is INVALID_ARGUMENT there:
 * Google has no "too large" status). Statuses outside the table fall back by class.
 * @see https://cloud.google.com/apis/design/errors#handling_errors
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 */
export const GEMINI_STATUS_FOR_HTTP: Readonly<Record<number, GeminiErrorStatus>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** The HTTP status each RPC status stands for (stream error frames carry both, but be tolerant). */
const HTTP_FOR_GEMINI_STATUS: Readonly<Record<GeminiErrorStatus, number>> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ABORTED: 409,
  ALREADY_EXISTS: 409,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  DATA_LOSS: 500,
  UNKNOWN: 500,
  INTERNAL: 500,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

function isGeminiErrorStatus(value: string): value is GeminiErrorStatus {
  return Object.hasOwn(HTTP_FOR_GEMINI_STATUS, value);
}

export function geminiStatusForHttp(status: number): GeminiErrorStatus {
  return GEMINI_STATUS_FOR_HTTP[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
}

/** The HTTP status for an RPC status name; 500 when the name is unknown. */
export function httpStatusForGemini(status: string | undefined): number {
  return status !== undefined && isGeminiErrorStatus(status) ? HTTP_FOR_GEMINI_STATUS[status] : 500;
}

/**
 * The `{error:{code, message, status}}` body. An upstream's own RPC status (passed through) wins
 * over the one derived from the HTTP status. `details` carries what Google's clients read:
 * `RetryInfo.retryDelay` for a known retry-after, and `BadRequest.fieldViolations` naming the field.
 */
export function geminiErrorBody(
  status: number,
  message: string,
  options: { upstreamType?: string | undefined; param?: string | undefined; retryAfter?: number | undefined } = {},
): GeminiErrorBody {
  const { upstreamType, param, retryAfter } = options;
  const rpcStatus = upstreamType !== undefined && isGeminiErrorStatus(upstreamType) ? upstreamType : geminiStatusForHttp(status);
  const details: JsonObject[] = [];
  if (param !== undefined) {
    details.push({ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: param, description: message }] });
  }
  if (retryAfter !== undefined) details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfter}s` });
  const error: GeminiErrorBody['error'] = { code: status, message, status: rpcStatus };
  if (details.length > 0) error.details = details;
  return { error };
}

/**
 * Renders any gateway error as a Gemini error response.
 * @see https://ai.google.dev/api/rest/v1beta/Status
 */
export function encodeGeminiError(err: GatewayError): { status: number; body: GeminiErrorBody } {
  return {
    status: err.status,
    body: geminiErrorBody(err.status, err.message, { upstreamType: err.upstreamType, param: err.param, retryAfter: err.retryAfter }),
  };
}

/** The in-stream form of an error: one `data:` record holding the same body as a non-stream error. */
export function encodeGeminiStreamError(err: GatewayError): SseRecord {
  return { data: JSON.stringify(encodeGeminiError(err).body) };
}

const MAX_MESSAGE_CHARS = 2000;

/**
 * Reads an upstream error body tolerantly: Google's `{error:{code, message, status, details}}`,
 * the same wrapped in an array (what `streamGenerateContent` without `alt=sse` sends), JSON text,
 * or plain text. `type` is the RPC status name; `retryAfter` comes from `RetryInfo.retryDelay`
 * ("17s", "0.5s"), rounded up to whole seconds.
 */
export function decodeGeminiError(status: number, body: unknown): { message: string; type?: string; retryAfter?: number } {
  let value = body;
  if (isString(value) || value instanceof Uint8Array) {
    const text = (isString(value) ? value : Buffer.from(value).toString('utf8')).trim();
    try {
      value = JSON.parse(text);
    } catch {
      return { message: text === '' ? `upstream returned HTTP ${status}` : truncate(text) };
    }
  }
  if (Array.isArray(value)) value = value[0];
  if (!isObject(value)) return { message: `upstream returned HTTP ${status}` };
  const error = isObject(value['error']) ? value['error'] : value;
  const rawMessage = error['message'];
  const rawType = error['status'];
  const message = isString(rawMessage) && rawMessage !== '' ? truncate(rawMessage) : isString(value['error']) ? truncate(value['error']) : `upstream returned HTTP ${status}`;
  const out: { message: string; type?: string; retryAfter?: number } = { message };
  if (isString(rawType) && rawType !== '') out.type = rawType;
  const retryAfter = readRetryDelay(error['details']);
  if (retryAfter !== undefined) out.retryAfter = retryAfter;
  return out;
}

function readRetryDelay(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    if (!isObject(detail)) continue;
    const delay = detail['retryDelay'] ?? detail['retry_delay'];
    const seconds = parseDuration(delay);
    if (seconds !== undefined) return seconds;
  }
  return undefined;
}

/** A protobuf Duration in JSON: "17s", "1.5s", or `{seconds, nanos}`. */
function parseDuration(value: unknown): number | undefined {
  if (isString(value)) {
    const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
    return match?.[1] === undefined ? undefined : Math.ceil(Number(match[1]));
  }
  if (isObject(value)) {
    const seconds = Number(value['seconds'] ?? 0);
    const nanos = Number(value['nanos'] ?? 0);
    return isFiniteNumber(seconds) && isFiniteNumber(nanos) ? Math.ceil(seconds + nanos / 1e9) : undefined;
  }
  return undefined;
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}
