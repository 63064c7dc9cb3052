import { isObject, type JsonObject } from '../core/json.ts';

/** The start of an upstream's text, for an error message that must stay short. */
export function preview(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * The JSON object an SSE record carries, for the upstreams that send one object per event:
 * undefined for keep-alives and `[DONE]`, else the object or why it is not one.
 */
export function sseJsonObject(data: string, upstream: string): { body: JsonObject } | { error: string } | undefined {
  const text = data.trim();
  if (text === '' || text === '[DONE]') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { error: `malformed JSON in upstream ${upstream} stream: ${preview(text)}` };
  }
  return isObject(body) ? { body } : { error: `unexpected upstream ${upstream} stream data: ${preview(text)}` };
}
