import { readFileSync } from 'node:fs';
import type { CliArgs } from '../cli/parse-args.ts';
import { discoverConfig, type Discovery } from './discover.ts';
import { expandEnv } from './expand-env.ts';
import { formatIssues, formatPath } from './issues.ts';
import { parseConfigText } from './parse-text.ts';
import { configSchema, type Config } from './schema.ts';
import { zeroConfig } from './zero-config.ts';

export interface LoadOptions {
  cli: Pick<CliArgs, 'config' | 'host' | 'port' | 'apiKeys' | 'logLevel'>;
  env: Record<string, string | undefined>;
  cwd: string;
}

export type LoadResult =
  | { ok: true; config: Config; source: string; warnings: string[] }
  | { ok: false; errors: string[]; source: string };

/** discover → read → parse → expand ${VAR} → synonyms → env and CLI overrides → validate. */
export function loadConfig(options: LoadOptions): LoadResult {
  const found: Discovery = discoverConfig(options.cli.config, options.env, options.cwd);
  let raw: unknown;
  let source: string;
  const warnings: string[] = [];
  if (found.kind === 'file') {
    source = found.path;
    let text: string;
    try {
      text = readFileSync(found.path, 'utf8');
    } catch (error) {
      return { ok: false, errors: [`${found.path}: cannot read config file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`], source };
    }
    const parsed = parseConfigText(text, found.path);
    if (!parsed.ok) return { ok: false, errors: parsed.errors, source };
    const expanded = expandEnv(parsed.value, options.env);
    if (expanded.missing.length > 0) {
      return {
        ok: false,
        errors: expanded.missing.map((m) => `${m.path}: environment variable ${m.name} is not set (use \${${m.name}:-default} for a fallback)`),
        source,
      };
    }
    raw = expanded.value;
  } else {
    source = 'environment (no config file)';
    raw = zeroConfig(options.env);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: [`${source}: the config must be an object at the top level`], source };
  }
  const synonyms = applySynonyms(raw as Record<string, unknown>);
  if (synonyms.errors.length > 0) return { ok: false, errors: synonyms.errors, source };
  const withOverrides = applyOverrides(synonyms.value, options);
  const result = configSchema.safeParse(withOverrides);
  if (!result.success) return { ok: false, errors: formatIssues(result.error.issues, configSchema), source };
  return { ok: true, config: result.data, source, warnings };
}

/** `endpoints` = `providers` and `routing.model_overrides` = `routing.aliases` (seed 000's names). */
function applySynonyms(raw: Record<string, unknown>): { value: Record<string, unknown>; errors: string[] } {
  const errors: string[] = [];
  const value = { ...raw };
  if ('endpoints' in value) {
    if ('providers' in value) errors.push('endpoints: give either providers or its synonym endpoints, not both');
    value['providers'] = value['endpoints'];
    delete value['endpoints'];
  }
  const routing = value['routing'];
  if (routing !== null && typeof routing === 'object' && !Array.isArray(routing) && 'model_overrides' in routing) {
    const r = { ...(routing as Record<string, unknown>) };
    if ('aliases' in r) errors.push(`${formatPath(['routing', 'model_overrides'])}: give either aliases or its synonym model_overrides, not both`);
    r['aliases'] = r['model_overrides'];
    delete r['model_overrides'];
    value['routing'] = r;
  }
  return { value, errors };
}

/** CLI flag > environment > file (SPEC §1). */
function applyOverrides(raw: Record<string, unknown>, { cli, env }: LoadOptions): Record<string, unknown> {
  const section = (name: string): Record<string, unknown> => {
    const current = raw[name];
    const copy = current !== null && typeof current === 'object' && !Array.isArray(current) ? { ...(current as Record<string, unknown>) } : {};
    raw[name] = copy;
    return copy;
  };
  const host = cli.host ?? nonEmpty(env['LLMUX_HOST']);
  if (host !== undefined) section('server')['host'] = host;
  const port = cli.port ?? numberFrom(env['LLMUX_PORT']);
  if (port !== undefined) section('server')['port'] = port;
  const level = cli.logLevel ?? nonEmpty(env['LLMUX_LOG_LEVEL']);
  if (level !== undefined) section('logging')['level'] = level;
  const format = nonEmpty(env['LLMUX_LOG_FORMAT']);
  if (format !== undefined) section('logging')['format'] = format;
  const keys = cli.apiKeys.length > 0 ? cli.apiKeys : (nonEmpty(env['LLMUX_API_KEYS'])?.split(',').map((k) => k.trim()).filter((k) => k !== '') ?? []);
  if (keys.length > 0) section('auth')['api_keys'] = keys.map((key, i) => ({ key, name: `key-${i + 1}` }));
  return raw;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function numberFrom(value: string | undefined): number | string | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : value;
}
