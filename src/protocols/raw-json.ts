import { isObject, type JsonObject } from '../core/json.ts';
import { parseSseText } from '../upstream/sse.ts';

/**
 * Byte-level reads for answers that are passed through unparsed: the gateway looks only at the
 * part it must (the usage object, one event's data), since parsing whole answers is most of the
 * cost on the hot path.
 */

/** The JSON data of one raw SSE event, or undefined when it has none or is not JSON. */
export function parseEventJson(raw: Buffer): JsonObject | undefined {
  const record = parseSseText(raw.toString('utf8'))[0];
  if (record === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(record.data);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The JSON object that is the value of the last `key` (quoted, e.g. `"usage"`) in `body`. */
export function objectAfterKey(body: Buffer, key: Buffer): JsonObject | undefined {
  const at = body.lastIndexOf(key);
  if (at === -1) return undefined;
  const start = body.indexOf(123 /* { */, at + key.length);
  if (start === -1) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123) depth++;
    else if (c === 125 /* } */ && --depth === 0) {
      try {
        const value: unknown = JSON.parse(body.toString('utf8', start, i + 1));
        return isObject(value) ? value : undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
