/**
 * Provider credentials must never reach a client or a log, even when an upstream echoes one back
 * in an error message: exactly, JSON-escaped the way some encoders write it (`\/` for `/`,
 * `\u002b` for `+`), percent-encoded, or cut to a prefix. Pure functions over text; callers pass
 * the secrets of the provider that answered.
 */

export const REDACTED = '[redacted]';

/** Credential shapes redacted whoever they belong to: OpenAI/Anthropic `sk-`, Google `AIza`, OAuth `ya29.`. */
export const KEY_SHAPES = /\b(?:sk-|sk_|AIza|ya29\.)[\w.-]{6,}/g;

/** Shorter secrets are only matched whole (and not at all under 6): a short prefix is no secret. */
export const MIN_PREFIX = 12;
const MIN_SECRET = 6;

/** How each character may be written by a JSON encoder; characters not listed are written as is. */
function charSpellings(c: string): string[] {
  const hex = c.charCodeAt(0).toString(16).padStart(4, '0');
  const unicode = [`\\u${hex}`, `\\u${hex.toUpperCase()}`];
  if (c === '/') return ['/', '\\/', ...unicode];
  if ('+=<>&\''.includes(c)) return [c, ...unicode];
  return [c];
}

const spellingCache = new Map<string, readonly string[]>();

/** Every way an encoder may have written `secret` (each encoder escapes a given character one way). */
export function secretSpellings(secret: string): readonly string[] {
  const cached = spellingCache.get(secret);
  if (cached !== undefined) return cached;
  let out = [''];
  const choices = new Map<string, string[]>();
  for (const c of new Set(secret)) {
    const options = charSpellings(c);
    if (options.length > 1) choices.set(c, options);
  }
  // One choice per distinct character, applied to all of its occurrences.
  const variants: Array<Map<string, string>> = [new Map()];
  for (const [c, options] of choices) {
    const next: Array<Map<string, string>> = [];
    for (const v of variants) for (const o of options) next.push(new Map(v).set(c, o));
    variants.splice(0, variants.length, ...next);
  }
  out = variants.map((v) => [...secret].map((c) => v.get(c) ?? c).join(''));
  out.push(encodeURIComponent(secret), encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  const unique = [...new Set(out)];
  if (spellingCache.size >= 1000) spellingCache.clear();
  spellingCache.set(secret, unique);
  return unique;
}

/** [start, end) spans of `text` that are a secret, one of its spellings, or a >= 12-character prefix of one. */
function secretSpans(text: string, secrets: readonly string[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET) continue;
    for (const spelling of secretSpellings(secret)) {
      const anchorLength = Math.min(spelling.length, secret.length < MIN_PREFIX ? spelling.length : MIN_PREFIX);
      const anchor = spelling.slice(0, anchorLength);
      for (let at = text.indexOf(anchor); at !== -1; at = text.indexOf(anchor, at + 1)) {
        let end = at + anchorLength;
        while (end - at < spelling.length && text[end] === spelling[end - at]) end++;
        spans.push([at, end]);
      }
    }
  }
  return spans;
}

/** `text` with every secret (in any spelling, or a prefix of 12 characters or more) and every key-shaped token replaced. */
export function redactText(text: string, secrets: readonly string[]): string {
  const spans = secretSpans(text, secrets).sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    if (end <= at) continue;
    out += text.slice(at, Math.max(at, start)) + (start >= at ? REDACTED : '');
    at = end;
  }
  out += text.slice(at);
  return out.replace(KEY_SHAPES, REDACTED);
}

/** Whether `text` carries a secret in any spelling or a prefix of 12 characters or more. */
export function containsSecret(text: string, secrets: readonly string[]): boolean {
  return secretSpans(text, secrets).length > 0;
}
