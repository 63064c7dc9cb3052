/**
 * Secrets out of any config-shaped value: fields named like credentials, credential headers, a
 * provider's bare `api_keys`, and credentials inside URLs. Used wherever a config is shown
 * (`llmux check`, the admin API): those end up in terminals, CI logs, browsers and bug reports.
 */
export const REDACTED = '<redacted>';

const SECRET_FIELDS = /^(key|apikey|token|secret|password|passwd|authorization|credentials?)$|[-_](key|token|secret|password|credentials?)$/i;
/** Header names that carry credentials: Authorization, x-api-key, Ocp-Apim-Subscription-Key, Helicone-Auth, X-Auth-Token... */
const SECRET_HEADERS = /auth|api[-_]?key|[-_]key$|^key$|subscription|token|secret|cookie|password|credential|signature|session/i;

export function redactSecrets(value: unknown, key?: string, parent?: string): unknown {
  if (key !== undefined && SECRET_FIELDS.test(key)) return REDACTED;
  if (key !== undefined && parent === 'headers' && SECRET_HEADERS.test(key)) return REDACTED;
  if (typeof value === 'string') return redactUrl(value);
  if (Array.isArray(value)) {
    // `api_keys: [k1, k2]` (a provider's keys) holds bare strings.
    if (key === 'api_keys') return value.map((v) => (typeof v === 'string' ? REDACTED : redactSecrets(v, undefined, key)));
    return value.map((v) => redactSecrets(v, undefined, key));
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactSecrets(v, k, key);
    return out;
  }
  return value;
}

/** Query parameters that carry credentials. */
const SECRET_QUERY = /([?&](?:key|api[-_]?key|apikey|token|access[-_]?token|secret|password|auth|sig|signature)=)[^&#]*/gi;

/**
 * URLs carry credentials in their userinfo (`redis://:pw@host`, `https://TOKEN@host`, a password
 * that itself holds an `@`) and in their query (`?key=K`).
 */
export function redactUrl(value: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value);
  if (scheme === null) return value;
  const rest = value.slice(scheme[0].length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  // The host follows the last "@": a password may contain "@" itself.
  const at = authority.lastIndexOf('@');
  let out = value;
  if (at !== -1) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    const kept = colon > 0 ? `${userinfo.slice(0, colon)}:${REDACTED}` : REDACTED;
    out = `${scheme[0]}${kept}${rest.slice(at)}`;
  }
  return out.replace(SECRET_QUERY, `$1${REDACTED}`);
}
