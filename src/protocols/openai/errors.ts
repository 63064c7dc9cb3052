import type { GatewayError } from '../../core/errors.ts';
import type { SseRecord } from '../../core/stream-events.ts';
import { type OpenAIErrorBody } from './wire.ts';
import { isObject, isString } from '../../core/json.ts';

/**
 * OpenAI error `type` for an HTTP status.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
export function openAIErrorTypeForStatus(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** Renders any gateway error as an OpenAI error response: `{error:{message, type, param, code}}`. */
export function encodeOpenAIError(err: GatewayError): { status: number; body: OpenAIErrorBody } {
  return { status: err.status, body: openAIErrorBody(err.status, err.message, err.code, err.param ?? null) };
}

/** The in-stream form of an error: one `data:` record holding the same body as a non-stream error. */
export function encodeOpenAIStreamError(err: GatewayError): SseRecord {
  return { data: JSON.stringify(encodeOpenAIError(err).body) };
}

/**
 * The in-stream frame for an error event of a converted stream. OpenAI has no status inside a
 * stream, so the type carries it; the upstream's own type is kept when it reported one.
 */
export function openAIStreamErrorRecord(status: number, message: string, errorType: string | undefined): SseRecord {
  const body: OpenAIErrorBody = {
    error: { message, type: errorType ?? openAIErrorTypeForStatus(status), param: null, code: null },
  };
  return { data: JSON.stringify(body) };
}

export function openAIErrorBody(status: number, message: string, code: string | null, param: string | null): OpenAIErrorBody {
  // OpenAI reports an unknown model as an invalid request with code model_not_found, and a
  // rate limit with code rate_limit_exceeded; clients (and SDK retry logic) key on those.
  if (code === 'model_not_found') return { error: { message, type: 'invalid_request_error', param, code } };
  // A spent budget is OpenAI's own quota error: the SDKs do not retry it, as they would a rate limit.
  if (code === 'insufficient_quota') return { error: { message, type: 'insufficient_quota', param, code } };
  if (status === 429) return { error: { message, type: 'rate_limit_error', param, code: 'rate_limit_exceeded' } };
  return { error: { message, type: openAIErrorTypeForStatus(status), param, code } };
}

const MAX_MESSAGE_CHARS = 2000;

/**
 * Reads an upstream OpenAI-compatible error body, tolerantly: the standard `{error:{message,type,code}}`,
 * `{error:"text"}`, FastAPI's `{detail}` (vLLM), a bare `{message}`, JSON text, or any other text.
 */
export function decodeOpenAIError(status: number, body: unknown): { message: string; type?: string } {
  let value = body;
  if (isString(value)) {
    const text = value.trim();
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      return { message: text === '' ? `upstream returned HTTP ${status}` : truncate(text) };
    }
  }
  if (isObject(value)) {
    const error = value['error'];
    if (isObject(error)) {
      const type = isString(error['type']) ? error['type'] : isString(error['code']) ? error['code'] : undefined;
      const message = readMessage(error) ?? `upstream returned HTTP ${status}`;
      return type === undefined ? { message } : { message, type };
    }
    if (isString(error) && error !== '') return { message: truncate(error) };
    const message = readMessage(value);
    if (message !== undefined) return { message };
  }
  return { message: `upstream returned HTTP ${status}` };
}

function readMessage(value: Record<string, unknown>): string | undefined {
  for (const key of ['message', 'detail', 'msg']) {
    const candidate = value[key];
    if (isString(candidate) && candidate !== '') return truncate(candidate);
  }
  // FastAPI validation errors: {detail: [{msg, loc}]}.
  const detail = value['detail'];
  if (Array.isArray(detail) && detail.length > 0) return truncate(JSON.stringify(detail));
  return undefined;
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}
