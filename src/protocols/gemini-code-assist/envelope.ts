import type { SseRecord } from '../../core/stream-events.ts';
import { type GeminiChatRequest } from '../gemini/wire.ts';
import { isObject, isString, type JsonObject } from '../../core/json.ts';

/**
 * The Code Assist API (`cloudcode-pa.googleapis.com/v1internal`) speaks Gemini inside an envelope:
 * requests are `{model, project, user_prompt_id?, request:{…Gemini body…}}`, answers and each SSE
 * record `{response:{…GenerateContentResponse…}, traceId}`. Only the envelope lives here; the
 * Gemini converters do the rest.
 * @see google-gemini/gemini-cli packages/core/src/code_assist/converter.ts
 */

export interface CodeAssistRequest {
  model: string;
  /** Filled in by the provider adapter: the project is discovered per credential, at run time. */
  project?: string;
  user_prompt_id?: string;
  request: Omit<GeminiChatRequest, 'systemInstruction'> & { systemInstruction?: { role: 'user'; parts: Array<{ text: string }> } };
}

/** Gemini CLI sends its system instruction as a `user` Content; Code Assist expects the role. */
export function wrapCodeAssistRequest(inner: GeminiChatRequest, model: string): CodeAssistRequest {
  const { systemInstruction, ...rest } = inner;
  const request: CodeAssistRequest['request'] = rest;
  if (systemInstruction !== undefined) request.systemInstruction = { role: 'user', parts: systemInstruction.parts };
  return { model, request };
}

/**
 * `{response, traceId}` → the GenerateContentResponse inside, with `traceId` as its `responseId`
 * when it has none (what gemini-cli does). An error body, or anything without the envelope, is
 * returned as it is so the Gemini decoder reports it.
 */
export function unwrapCodeAssistResponse(body: unknown): unknown {
  if (!isObject(body) || !isObject(body['response'])) return body;
  const inner: JsonObject = body['response'];
  const traceId = body['traceId'];
  if (isString(traceId) && traceId !== '' && !isString(inner['responseId'])) return { ...inner, responseId: traceId };
  return inner;
}

/** One SSE record: the same unwrapping on its JSON data; records that are not JSON pass untouched. */
export function unwrapCodeAssistRecord(record: SseRecord): SseRecord {
  let body: unknown;
  try {
    body = JSON.parse(record.data);
  } catch {
    return record;
  }
  const inner = unwrapCodeAssistResponse(body);
  return inner === body ? record : { ...record, data: JSON.stringify(inner) };
}
