import type { Config } from '../config/schema.ts';
import type { GatewayState } from '../gateway/state.ts';
import { redactSecrets, redactUrl } from './canonical-config.ts';

/** The resolved routing table `llmux check` prints: public model → targets with weights. No secrets. */
export function formatRoutingTable(config: Config, state: GatewayState): string {
  const lines: string[] = [];
  const auth = [config.auth.api_keys.length === 0 ? 'off' : `${config.auth.api_keys.length} key(s)`, ...(config.auth.forward_auth ? ['client credentials forwarded'] : [])].join(', ');
  const limit = config.rate_limit === undefined || (config.rate_limit.rpm === 0 && config.rate_limit.tpm === 0) ? '' : `   rate limit: ${config.rate_limit.rpm} rpm${config.rate_limit.tpm > 0 ? `, ${config.rate_limit.tpm} tpm` : ''}`;
  lines.push(`listen: ${config.server.host}:${config.server.port}   mode: ${config.routing.mode}   auth: ${auth}${limit}`);
  lines.push('');
  lines.push('providers:');
  if (state.providers.size === 0) lines.push('  (none)');
  for (const p of state.providers.values()) {
    const source = p.config.models !== undefined && p.models().length > 0 ? 'configured' : p.discovers ? 'discovered' : 'configured';
    const patterns = p.patterns().map((g) => g.source);
    const served = [`${p.models().length} model(s) ${source}`, ...(patterns.length > 0 ? [`patterns ${patterns.join(', ')}`] : [])].join(', ');
    lines.push(`  ${p.name}  type=${p.config.type}  base_url=${redactUrl(p.adapter.origin)}  weight=${p.weight}  ${served}`);
  }
  lines.push('');
  lines.push('routes (public model -> provider/upstream model, weight):');
  const models = state.catalog.publicModels();
  if (models.length === 0) lines.push('  (no listed models)');
  const width = Math.min(40, Math.max(0, ...models.map((m) => m.id.length)));
  for (const m of models) {
    const route = state.catalog.resolve(m.id);
    const targets = route.targets.map((t) => `${t.provider}/${t.upstreamModel} (${t.weight})`).join(', ');
    const tag = config.routing.aliases[m.id] !== undefined ? '  [alias]' : '';
    lines.push(`  ${m.id.padEnd(width)} -> ${targets}${tag}`);
  }
  for (const p of state.providers.values()) {
    for (const g of p.patterns()) lines.push(`  ${g.source.padEnd(width)} -> ${p.name}/<same name> (${p.weight})  [pattern]`);
  }
  const fallbacks = Object.entries(config.routing.fallbacks);
  if (fallbacks.length > 0) {
    lines.push('');
    lines.push('fallbacks:');
    for (const [from, to] of fallbacks) lines.push(`  ${from} -> ${to.join(' -> ')}`);
  }
  if (config.model_rules.length > 0) {
    lines.push('');
    lines.push('model rules (first match wins):');
    for (const r of config.model_rules) {
      const parts = [
        r.unset === undefined ? '' : `unset ${r.unset.join(',')}`,
        // The same redaction as the canonical config: a rule may set a key or a header.
        r.set === undefined ? '' : `set ${JSON.stringify(redactSecrets(r.set))}`,
        r.extra === undefined ? '' : `extra ${JSON.stringify(redactSecrets(r.extra))}`,
      ].filter((s) => s !== '');
      lines.push(`  ${r.match_model}${r.match_provider === undefined ? '' : ` @${r.match_provider}`}: ${parts.join('; ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
