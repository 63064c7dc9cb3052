/**
 * The ways an upstream may write a credential it echoes back in an error: as is, JSON-escaped the
 * way some encoders do (`\/` for `/` in PHP and some Java, `\u002b` for `+` or `\u003d` for `=` in
 * Gson), or percent-encoded. Each encoder escapes a given character one way, so there is one
 * spelling per combination of choices for the distinct characters a key holds: a handful.
 */

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
  const out = variants.map((v) => [...secret].map((c) => v.get(c) ?? c).join(''));
  out.push(encodeURIComponent(secret), encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  const unique = [...new Set(out)];
  if (spellingCache.size >= 1000) spellingCache.clear();
  spellingCache.set(secret, unique);
  return unique;
}
