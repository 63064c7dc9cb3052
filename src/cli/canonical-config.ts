import { stringify } from 'yaml';

/**
 * The config a file (or the environment, or go-aiproxy's flags) became, as an llmux.yaml the user
 * could keep. Every credential is replaced: `llmux check` output ends up in terminals, CI logs and
 * bug reports.
 */
export const REDACTED = '<redacted>';

const SECRET_FIELDS = /^(key|token|secret|password)$|_(key|token|secret|password)$/i;
const SECRET_HEADERS = /authorization|api[-_]?key|token|secret|cookie|password/i;

/** Top-level sections in the order the README documents them. */
const SECTION_ORDER = ['server', 'auth', 'rate_limit', 'providers', 'routing', 'model_rules', 'health_check', 'logging', 'metrics', 'images'];

export function formatCanonicalConfig(canonical: Record<string, unknown>): string {
  const rank = (key: string): number => (SECTION_ORDER.includes(key) ? SECTION_ORDER.indexOf(key) : SECTION_ORDER.length);
  const ordered = Object.fromEntries(Object.entries(canonical).sort(([a], [b]) => rank(a) - rank(b)));
  return stringify(redactSecrets(ordered), { lineWidth: 0 });
}

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
