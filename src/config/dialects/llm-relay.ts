import { formatPath } from '../issues.ts';
import { isRecord, pick, stringAt, type DialectResult } from './dialect.ts';

/**
 * Seed 004 (llm-relay): `listen`, one `upstream` that receives every model (`models: ["*"]`, the
 * list still discovered from it), `forward_auth`, and `model_rules`, which are already llmux's
 * rules (match_model, set, extra, unset, the `default` rule; unset → set → extra).
 */
const RULE_KEYS = ['match_model', 'match_provider', 'set', 'extra', 'unset'];

export function fromLlmRelay(file: Record<string, unknown>): DialectResult {
  const warnings: string[] = [];
  const errors: string[] = [];
  const top = pick(file, [], ['listen', 'upstream', 'forward_auth', 'model_rules'], 'llm-relay', warnings);
  const raw: Record<string, unknown> = {};

  if (top['listen'] !== undefined) {
    const listen = stringAt(top['listen'], ['listen'], errors);
    const address = listen === undefined ? undefined : parseListen(listen);
    if (listen !== undefined && address === undefined) errors.push(`listen: must be "host:port" or ":port" (got "${listen}")`);
    if (address !== undefined) raw['server'] = address;
  }

  const upstream = stringAt(top['upstream'], ['upstream'], errors);
  if (upstream === undefined) errors.push('upstream: is required (the base URL of the OpenAI-compatible service, e.g. "http://localhost:11434/v1")');
  else raw['providers'] = [{ name: 'upstream', type: 'openai', base_url: upstream, models: ['*'] }];

  if (top['forward_auth'] !== undefined) raw['auth'] = { forward_auth: top['forward_auth'] };

  const rules = top['model_rules'];
  if (rules !== undefined && rules !== null) {
    if (!Array.isArray(rules)) errors.push('model_rules: must be a list');
    else {
      raw['model_rules'] = rules.map((rule: unknown, i) => {
        if (!isRecord(rule)) {
          errors.push(`${formatPath(['model_rules', i])}: must be an object`);
          return {};
        }
        return pick(rule, ['model_rules', i], RULE_KEYS, 'llm-relay', warnings);
      });
    }
  }
  return { raw, warnings, errors };
}

/** Go's listen addresses: "0.0.0.0:8080", ":8080" (every interface), "[::1]:8080", "localhost:8080". */
export function parseListen(listen: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(listen.trim());
  if (m === null) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  const host = m[1] ?? (m[2] === undefined || m[2] === '' ? '0.0.0.0' : m[2]);
  return { host, port };
}
