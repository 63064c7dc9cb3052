/**
 * Secrets out of any config-shaped value: fields named like credentials, credential headers, a
 * provider's bare `api_keys`, and credentials inside URLs. Used wherever a config is shown
 * (`llmux check`, the admin API): those end up in terminals, CI logs, browsers and bug reports.
 */
export const REDACTED = '<redacted>';

const SECRET_FIELDS = /^(key|token|secret|password)$|_(key|token|secret|password)$/i;
const SECRET_HEADERS = /authorization|api[-_]?key|token|secret|cookie|password/i;

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

/** `redis://:pw@host` and `https://host/?key=K` carry credentials inside a URL. */
function redactUrl(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, `$1:${REDACTED}@`).replace(/([?&](?:key|api_key|token|access_token)=)[^&#]*/gi, `$1${REDACTED}`);
}
