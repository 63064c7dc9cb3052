import { formatPath } from '../issues.ts';
import { isRecord, type DialectResult } from './dialect.ts';

/**
 * llmux's own schema, which go-oai-gateway already is but for two names:
 * `endpoints` = `providers` and `routing.model_overrides` = `routing.aliases`. go-oai-gateway's
 * overrides work in merge mode only; llmux serves aliases in both modes, which only adds names.
 * `renamed` tells `llmux check` the file used those names, so it shows what they became.
 */
export function fromGoOaiGateway(file: Record<string, unknown>): DialectResult & { renamed: boolean } {
  const errors: string[] = [];
  const raw = { ...file };
  let renamed = false;
  if ('endpoints' in raw) {
    if ('providers' in raw) errors.push('endpoints: give either providers or its synonym endpoints, not both');
    raw['providers'] = raw['endpoints'];
    delete raw['endpoints'];
    renamed = true;
  }
  const routing = raw['routing'];
  if (isRecord(routing) && 'model_overrides' in routing) {
    const r = { ...routing };
    if ('aliases' in r) errors.push(`${formatPath(['routing', 'model_overrides'])}: give either aliases or its synonym model_overrides, not both`);
    r['aliases'] = r['model_overrides'];
    delete r['model_overrides'];
    raw['routing'] = r;
    renamed = true;
  }
  return { raw, warnings: [], errors, renamed };
}
