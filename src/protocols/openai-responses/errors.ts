import { GatewayError, type ErrorCode } from '../../core/errors.ts';
import type { SseRecord } from '../../core/stream-events.ts';
import { decodeOpenAIError, openAIErrorBody } from '../openai/errors.ts';
import type { OpenAIErrorBody } from './wire.ts';

/**
 * An error whose OpenAI `code` is specific to the Responses API (`previous_response_not_found`,
 * `item_not_found`…): SDKs and agents key on that code, not on the message.
 */
export class ResponsesApiError extends GatewayError {
  readonly apiCode: string;
  constructor(code: ErrorCode, apiCode: string, message: string, param?: string) {
    super(code, message, param === undefined ? {} : { param });
    this.apiCode = apiCode;
  }
}

export function encodeResponsesError(err: GatewayError): { status: number; body: OpenAIErrorBody } {
  const apiCode = err instanceof ResponsesApiError ? err.apiCode : err.code;
  return { status: err.status, body: openAIErrorBody(err.status, err.message, apiCode, err.param ?? null) };
}

/** The `response.failed` error code for an HTTP-like status: Codex reads `rate_limit_exceeded` and retries the rest. */
export function failureCode(status: number): string {
  if (status === 429) return 'rate_limit_exceeded';
  if (status === 400 || status === 413 || status === 422) return 'invalid_prompt';
  return 'server_error';
}

/**
 * A failure written after the stream started, where no encoder state is at hand. The sequence
 * number is the largest safe integer, so it still follows every event already sent.
 */
export function encodeResponsesStreamError(err: GatewayError): SseRecord {
  const data = {
    type: 'response.failed',
    sequence_number: Number.MAX_SAFE_INTEGER,
    response: {
      id: 'resp_failed',
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status: 'failed',
      error: { code: failureCode(err.status), message: err.message },
      incomplete_details: null,
      model: '',
      output: [],
      usage: null,
    },
  };
  return { event: 'response.failed', data: JSON.stringify(data) };
}

export const decodeResponsesError = decodeOpenAIError;
