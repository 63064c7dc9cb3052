import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { detectFileFormat } from './dialects/detect.ts';
import { envValue, FORMATS, isRecord, type DialectResult, type FormatId } from './dialects/dialect.ts';
import { fromGoOaiGateway } from './dialects/go-oai-gateway.ts';
import { AIPROXY_ENV, AIPROXY_FLAGS, flagsGiven, fromGoAiproxy, type AiproxyFlags } from './dialects/go-aiproxy.ts';
import { isGoAigatewayEnv, TARGET_ENV } from './dialects/go-aigateway.ts';
import { fromOpenAICompatible } from './dialects/openai-compatible.ts';
import { fromLlmRelay } from './dialects/llm-relay.ts';
import { discoverConfig, type Discovery } from './discover.ts';
import { checkConfigFileSync } from './read-file.ts';
import { expandEnv } from './expand-env.ts';
import { formatIssues } from './issues.ts';
import { parseConfigText } from './parse-text.ts';
import { configSchema, type Config } from './schema.ts';
import { zeroConfig } from './zero-config.ts';

/** What the command line says about the config; the CLI's parsed arguments satisfy it. */
export interface ConfigFlags {
  config?: string;
  host?: string;
  port?: number;
  apiKeys: string[];
  logLevel?: string;
  /** go-aiproxy's flags, present only when one was given. */
  aiproxy?: AiproxyFlags;
}

export interface LoadOptions {
  cli: ConfigFlags;
  env: Record<string, string | undefined>;
  cwd: string;
  /** The config file's content, already read (a reload reads it asynchronously, once settled). */
  fileText?: { path: string; text: string };
}

export type LoadResult =
  | {
      ok: true;
      config: Config;
      source: string;
      /** The format the settings were written in; anything but `llmux` was mapped onto the schema. */
      format: FormatId;
      /** The raw config that was validated, after format mapping and overrides: what `llmux check` shows. */
      canonical: Record<string, unknown>;
      /** The settings were written differently from `canonical` (another format, or go-oai-gateway's synonyms). */
      translated: boolean;
      warnings: string[];
    }
  | { ok: false; errors: string[]; source: string };

/** discover → read → parse → expand ${VAR} → detect the format → map it → env and CLI overrides → validate. */
export function loadConfig(options: LoadOptions): LoadResult {
  const found: Discovery = discoverConfig(options.cli.config, options.env, options.cwd);
  const read = found.kind === 'file' ? readFile(found.path, options) : readEnvironment(options);
  if (!read.ok) return read;
  const { source, format, mapped, translated } = read;
  if (mapped.errors.length > 0) return { ok: false, errors: mapped.errors, source };
  const warnings = [...mapped.warnings, ...foreignVariables(options.env, format)];
  const canonical = applyOverrides(mapped.raw, options);
  const result = configSchema.safeParse(canonical);
  if (!result.success) {
    const errors = formatIssues(result.error.issues, configSchema);
    // The paths are llmux's, not the ones the user wrote.
    if (format !== 'llmux') errors.push(`(the paths above are those of the llmux config the ${FORMATS[format]} settings became)`);
    return { ok: false, errors, source };
  }
  const config = result.data;
  // The ledger file sits where the user ran the command, not where npm or the process started.
  if (config.usage.path !== ':memory:' && !isAbsolute(config.usage.path)) config.usage.path = resolve(options.cwd, config.usage.path);
  return { ok: true, config, source, format, canonical, translated, warnings };
}

type Read = { ok: true; source: string; format: FormatId; mapped: DialectResult; translated: boolean } | { ok: false; errors: string[]; source: string };

function readFile(path: string, { cli, env, cwd, fileText }: LoadOptions): Read {
  const source = path;
  let text: string;
  try {
    if (fileText !== undefined && fileText.path === path) text = fileText.text;
    else {
      const why = checkConfigFileSync(path);
      if (why !== undefined) return { ok: false, errors: [`${path}: cannot read config file (${why})`], source };
      text = readFileSync(path, 'utf8');
    }
  } catch (error) {
    return { ok: false, errors: [`${path}: cannot read config file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`], source };
  }
  const parsed = parseConfigText(text, path);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, source };
  const expanded = expandEnv(parsed.value, env);
  if (expanded.missing.length > 0) {
    return {
      ok: false,
      errors: expanded.missing.map((m) => `${m.path}: environment variable ${m.name} is not set (use \${${m.name}:-default} for a fallback)`),
      source,
    };
  }
  const raw = expanded.value;
  if (!isRecord(raw)) return { ok: false, errors: [`${source}: the config must be an object at the top level`], source };
  const detected = detectFileFormat(raw);
  if (!detected.ok) return { ok: false, errors: [detected.error], source };
  const format = detected.format;
  const flags = cli.aiproxy ?? {};
  const flag = flagsGiven(flags)[0];
  if (flag !== undefined && format !== 'go-aiproxy') {
    return {
      ok: false,
      errors: [`${AIPROXY_FLAGS[flag]}: a flag of the go-aiproxy format, but the config file is in the ${FORMATS[format]} format; configure the provider in the file instead`],
      source,
    };
  }
  switch (format) {
    case 'llmux': {
      const native = fromGoOaiGateway(raw);
      return { ok: true, source, format, mapped: native, translated: native.renamed };
    }
    case 'go-aiproxy':
      return { ok: true, source, format, mapped: fromGoAiproxy(raw, { env, cwd, flags }), translated: true };
    case 'openai-compatible':
      return { ok: true, source, format, mapped: fromOpenAICompatible(raw, path), translated: true };
    case 'llm-relay':
      return { ok: true, source, format, mapped: fromLlmRelay(raw), translated: true };
    case 'go-aigateway':
      return { ok: false, errors: [`${path}: go-aigateway is configured by environment variables only`], source };
  }
}

/** No file: go-aiproxy's flags or variables, else zero-config (which includes go-aigateway's variables). */
function readEnvironment({ cli, env, cwd }: LoadOptions): Read {
  const flags = cli.aiproxy ?? {};
  const given = flagsGiven(flags);
  const aiproxyEnv = AIPROXY_ENV.filter((name) => envValue(env, name) !== undefined);
  const source = given.length > 0 ? 'command line (no config file)' : 'environment (no config file)';
  if (given.length === 0 && aiproxyEnv.length === 0) {
    const zero = zeroConfig(env);
    return { ok: true, source, format: zero.format, mapped: zero, translated: zero.format !== 'llmux' };
  }
  if (given.length === 0 && isGoAigatewayEnv(env)) {
    const target = TARGET_ENV.filter((name) => envValue(env, name) !== undefined);
    return {
      ok: false,
      errors: [`environment: ${[...aiproxyEnv, ...target].join(', ')} are set: variables of both go-aiproxy and go-aigateway; unset one set, or write a config file`],
      source,
    };
  }
  return { ok: true, source, format: 'go-aiproxy', mapped: fromGoAiproxy(undefined, { env, cwd, flags }), translated: true };
}

/** Another format's variables are set, but that format is not the one in use: say so rather than ignore them silently. */
function foreignVariables(env: LoadOptions['env'], format: FormatId): string[] {
  const warnings: string[] = [];
  if (format !== 'go-aiproxy') {
    for (const name of AIPROXY_ENV) if (envValue(env, name) !== undefined) warnings.push(`${name}: ignored (go-aiproxy reads it, but the config is in the ${FORMATS[format]} format)`);
  }
  if (format !== 'go-aigateway') {
    for (const name of TARGET_ENV) if (envValue(env, name) !== undefined) warnings.push(`${name}: ignored (go-aigateway reads it only when there is no config file and no go-aiproxy flag)`);
  }
  return warnings;
}

/** CLI flag > environment > file. */
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
