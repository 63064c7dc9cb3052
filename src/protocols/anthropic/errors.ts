import type { GatewayError } from '../../core/errors.ts';
import type { SseRecord } from '../../core/stream-events.ts';
import { stringField, type AnthropicErrorBody, type AnthropicErrorType } from './wire.ts';
import { isObject } from '../../core/json.ts';

/**
 * Anthropic error type ↔ HTTP status. `billing_error` (402) and `timeout_error` (504)
 * are read from upstreams but never chosen by status alone.
 * @see https://docs.anthropic.com/en/api/errors
 */
export const ANTHROPIC_ERROR_STATUS: Readonly<Record<AnthropicErrorType, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

function isAnthropicErrorType(value: string): value is AnthropicErrorType {
  return Object.hasOwn(ANTHROPIC_ERROR_STATUS, value);
}

/** The Anthropic error type for an HTTP status: 4xx default to invalid_request_error, 5xx to api_error. */
export function anthropicErrorTypeForStatus(status: number): AnthropicErrorType {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** The HTTP status an Anthropic error type stands for (stream `error` events carry no status). */
export function statusForAnthropicErrorType(type: string | undefined): number {
  return type !== undefined && isAnthropicErrorType(type) ? ANTHROPIC_ERROR_STATUS[type] : 500;
}

function errorBody(status: number, message: string, upstreamType: string | undefined): AnthropicErrorBody {
  // An upstream's own Anthropic type (overloaded_error passed through, say) is more precise than the status.
  const type = upstreamType !== undefined && isAnthropicErrorType(upstreamType) ? upstreamType : anthropicErrorTypeForStatus(status);
  return { type: 'error', error: { type, message } };
}

/**
 * Renders any gateway error as an Anthropic error response.
 * @see https://docs.anthropic.com/en/api/errors#error-shapes
 */
export function encodeAnthropicError(err: GatewayError): { status: number; body: AnthropicErrorBody } {
  return { status: err.status, body: errorBody(err.status, err.message, err.upstreamType) };
}

/** The in-stream form of an error: `event: error` with the same body as a non-stream error. */
export function encodeAnthropicStreamError(err: GatewayError): SseRecord {
  return { event: 'error', data: JSON.stringify(errorBody(err.status, err.message, err.upstreamType)) };
}

/**
 * Reads an upstream error body tolerantly: Anthropic's `{type:"error", error:{type, message}}`,
 * a bare `{error:{message}}` or `{message}` from proxies in front of it, JSON text, or plain text.
 */
export function decodeAnthropicError(status: number, body: unknown): { message: string; type?: string } {
  let value = body;
  if (typeof value === 'string' || value instanceof Uint8Array) {
    const text = (typeof value === 'string' ? value : Buffer.from(value).toString('utf8')).trim();
    try {
      value = JSON.parse(text);
    } catch {
      return { message: text === '' ? `upstream returned HTTP ${status}` : text.slice(0, 1000) };
    }
  }
  if (isObject(value)) {
    const inner = isObject(value['error']) ? value['error'] : value;
    const message = stringField(inner, 'message') ?? (typeof value['error'] === 'string' ? value['error'] : undefined);
    const type = stringField(inner, 'type');
    const usableType = type !== undefined && type !== 'error' ? type : undefined;
    if (message !== undefined && message !== '') return usableType === undefined ? { message } : { message, type: usableType };
    if (usableType !== undefined) return { message: `upstream returned HTTP ${status} (${usableType})`, type: usableType };
  }
  return { message: `upstream returned HTTP ${status}` };
}
