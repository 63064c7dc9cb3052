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

/** JSON's insignificant whitespace. */
export const isJsonSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Index just past the value that starts at `start` (a string, an object, an array or a literal), or -1. */
function valueEnd(buf: Buffer, start: number): number {
  const c = buf[start];
  if (c === QUOTE) {
    const end = stringEnd(buf, start);
    return end === -1 ? -1 : end + 1;
  }
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    let depth = 0;
    for (let i = start; i < buf.length; i++) {
      const d = buf[i];
      if (d === QUOTE) {
        i = stringEnd(buf, i);
        if (i === -1) return -1;
      } else if (d === OPEN_OBJECT || d === OPEN_ARRAY) depth++;
      else if (d === CLOSE_OBJECT || d === CLOSE_ARRAY) {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return -1;
  }
  let i = start;
  while (i < buf.length && buf[i] !== 0x2c && buf[i] !== CLOSE_OBJECT && !isJsonSpace(buf[i])) i++;
  return i;
}

/**
 * Where the values of some top-level fields of a JSON object lie (byte offsets, end exclusive),
 * found without parsing or decoding the rest: what
 * routing reads from a large request whose other bytes go upstream untouched. Undefined when the
 * text is not an object this walk can follow (the caller then parses it whole and reports why).
 * A field given twice is refused before this runs (scanJson).
 */
export function topLevelFields(buf: Buffer, names: readonly string[]): Map<string, { start: number; end: number }> | undefined {
  const found = new Map<string, { start: number; end: number }>();
  let i = 0;
  const skipSpace = (): void => {
    while (isJsonSpace(buf[i])) i++;
  };
  skipSpace();
  if (buf[i] !== OPEN_OBJECT) return undefined;
  i++;
  skipSpace();
  if (buf[i] === CLOSE_OBJECT) return found;
  for (;;) {
    skipSpace();
    if (buf[i] !== QUOTE) return undefined;
    const keyEnd = stringEnd(buf, i);
    if (keyEnd === -1) return undefined;
    const rawKey = buf.toString('utf8', i + 1, keyEnd);
    i = keyEnd + 1;
    skipSpace();
    if (buf[i] !== COLON) return undefined;
    i++;
    skipSpace();
    const end = valueEnd(buf, i);
    if (end === -1 || end === i) return undefined;
    const key = rawKey.includes('\\') ? undefined : rawKey;
    // An escaped key is rare enough to leave to the full parse.
    if (key === undefined) return undefined;
    if (names.includes(key)) found.set(key, { start: i, end });
    i = end;
    skipSpace();
    if (buf[i] === 0x2c) {
      i++;
      continue;
    }
    if (buf[i] !== CLOSE_OBJECT) return undefined;
    i++;
    skipSpace();
    return i === buf.length ? found : undefined;
  }
}
