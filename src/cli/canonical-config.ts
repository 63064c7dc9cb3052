import { stringify } from 'yaml';
import { redactSecrets } from '../config/redact.ts';

export { REDACTED, redactSecrets, redactUrl } from '../config/redact.ts';

/** Top-level sections in the order the README documents them. */
const SECTION_ORDER = ['server', 'auth', 'rate_limit', 'providers', 'routing', 'model_rules', 'health_check', 'logging', 'metrics', 'images', 'responses', 'usage', 'admin'];

/**
 * The config a file (or the environment, or go-aiproxy's flags) became, as an llmux.yaml the user
 * could keep. Every credential is replaced: `llmux check` output ends up in terminals, CI logs and
 * bug reports.
 */
export function formatCanonicalConfig(canonical: Record<string, unknown>): string {
  const rank = (key: string): number => (SECTION_ORDER.includes(key) ? SECTION_ORDER.indexOf(key) : SECTION_ORDER.length);
  const ordered = Object.fromEntries(Object.entries(canonical).sort(([a], [b]) => rank(a) - rank(b)));
  return stringify(redactSecrets(ordered), { lineWidth: 0 });
}
