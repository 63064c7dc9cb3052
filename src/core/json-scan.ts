/**
 * One cheap pass over a JSON text, before it is parsed, for what a parser does not report:
 * - nesting deeper than any real request (recursive code downstream, structuredClone and
 *   JSON.stringify would overflow the stack on it);
 * - a key repeated in the top-level object. JSON.parse keeps the last one, other parsers the
 *   first: if llmux checked `"model": "cheap"` and forwarded the bytes, an upstream that keeps the
 *   first `"model": "expensive"` would serve something the key may not use.
 *
 * Strings are skipped with Buffer.indexOf (native memchr), so a body made of long message texts
 * costs about one comparison per structural character, not per byte.
 */

export const MAX_JSON_DEPTH = 512;

export interface JsonScan {
  /** Deeper than MAX_JSON_DEPTH (the scan stopped there). */
  tooDeep: boolean;
  /** The first key found twice in the top-level object. */
  duplicateKey: string | undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;

/** Index of the quote that ends the string whose opening quote is at `start`, or -1. */
function stringEnd(buf: Buffer, start: number): number {
  let i = start + 1;
  for (;;) {
    const q = buf.indexOf(QUOTE, i);
    if (q === -1) return -1;
    let slashes = 0;
    for (let j = q - 1; j > start && buf[j] === BACKSLASH; j--) slashes++;
    if (slashes % 2 === 0) return q;
    i = q + 1;
  }
}

/**
 * Scans `buf` (which the caller then parses: malformed text is not reported here, the parser says
 * what is wrong with it).
 */
export function scanJson(buf: Buffer, maxDepth = MAX_JSON_DEPTH): JsonScan {
  let depth = 0;
  // Whether the string met at depth 1 in the top-level object is a key (else a value).
  let topObject = false;
  let expectKey = false;
  let keys: Set<string> | undefined;
  const n = buf.length;
  for (let i = 0; i < n; i++) {
    const c = buf[i];
    if (c === QUOTE) {
      const end = stringEnd(buf, i);
      if (end === -1) break;
      if (topObject && depth === 1 && expectKey) {
        const raw = buf.toString('utf8', i + 1, end);
        let key = raw;
        if (raw.includes('\\')) {
          try {
            key = JSON.parse(`"${raw}"`) as string;
          } catch {
            // Malformed: the parser will answer it.
          }
        }
        keys ??= new Set();
        if (keys.has(key)) return { tooDeep: false, duplicateKey: key };
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      if (depth > maxDepth) return { tooDeep: true, duplicateKey: undefined };
      if (depth === 1) topObject = c === OPEN_OBJECT;
      if (depth === 1 && topObject) expectKey = true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    } else if (c === 0x2c /* , */ && depth === 1 && topObject) {
      expectKey = true;
    } else if (c === COLON && depth === 1) {
      expectKey = false;
    }
  }
  return { tooDeep: false, duplicateKey: undefined };
}
