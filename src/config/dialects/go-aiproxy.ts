import { isAbsolute, resolve } from 'node:path';
import { closest } from '../../core/did-you-mean.ts';
import { envValue, first, isRecord, pick, stringAt, type DialectResult, type Env } from './dialect.ts';

/**
 * Seed 001 (go-aiproxy): its command-line flags, its environment and its config.yaml
 * (`host`, `port`, `api_key`, `model_providers`, `openai`, `claude`, `gemini`), mapped onto one
 * provider per listed name. Precedence as everywhere: flag > environment > file > the format's
 * defaults (port 3000, client key 123456, provider openai-custom). `--host`, `--port` and
 * `--api-key` are llmux's own flags too and are applied by the loader after this.
 */
export interface AiproxyFlags {
  modelProviders?: string[];
  openaiApiKey?: string;
  openaiBaseUrl?: string;
  claudeApiKey?: string;
  claudeBaseUrl?: string;
  geminiApiKey?: string;
  geminiOauthCredsFile?: string;
  projectId?: string;
}

export const AIPROXY_FLAGS = {
  modelProviders: '--model-provider',
  openaiApiKey: '--openai-api-key',
  openaiBaseUrl: '--openai-base-url',
  claudeApiKey: '--claude-api-key',
  claudeBaseUrl: '--claude-base-url',
  geminiApiKey: '--gemini-api-key',
  geminiOauthCredsFile: '--gemini-oauth-creds-file',
  projectId: '--project-id',
} as const satisfies Record<keyof AiproxyFlags, string>;

/** Variables only go-aiproxy reads: with no config file, any of them selects this format. */
export const AIPROXY_ENV = ['AIPROXY_HOST', 'AIPROXY_PORT', 'AIPROXY_API_KEY', 'AIPROXY_MODEL_PROVIDER'] as const;

export const AIPROXY_DEFAULT_PORT = 3000;
export const AIPROXY_DEFAULT_KEY = '123456';

const PROVIDER_NAMES = ['openai-custom', 'claude-custom', 'gemini-cli', 'gemini-cli-oauth'] as const;
type ProviderName = (typeof PROVIDER_NAMES)[number];

const FILE_KEYS = ['host', 'port', 'api_key', 'model_providers', 'openai', 'claude', 'gemini'];

export function flagsGiven(flags: AiproxyFlags | undefined): Array<keyof AiproxyFlags> {
  if (flags === undefined) return [];
  return (Object.keys(AIPROXY_FLAGS) as Array<keyof AiproxyFlags>).filter((k) => flags[k] !== undefined);
}

export interface GoAiproxyContext {
  env: Env;
  /** Where relative paths (the OAuth credentials file) resolve: the directory the user ran llmux in. */
  cwd: string;
  flags: AiproxyFlags;
}

export function fromGoAiproxy(file: Record<string, unknown> | undefined, { env, cwd, flags }: GoAiproxyContext): DialectResult {
  const warnings: string[] = [];
  const errors: string[] = [];
  const f = pick(file ?? {}, [], FILE_KEYS, 'go-aiproxy', warnings);
  const section = (name: string, known: string[]): Record<string, unknown> => {
    const value = f[name];
    if (value === undefined || value === null) return {};
    if (!isRecord(value)) {
      errors.push(`${name}: must be an object`);
      return {};
    }
    return pick(value, [name], known, 'go-aiproxy', warnings);
  };
  const openai = section('openai', ['api_key', 'base_url']);
  const claude = section('claude', ['api_key', 'base_url']);
  // base_url is llmux's addition (every provider accepts one), for mirrors and tests.
  const gemini = section('gemini', ['api_key', 'project_id', 'oauth_creds_file', 'base_url']);
  const str = (value: unknown, ...path: string[]): string | undefined => stringAt(value, path, errors);

  const list = providerList(f['model_providers'], env, flags, errors);
  const has = (name: ProviderName): boolean => list.names.includes(name);
  const notListed = (name: ProviderName): string => `ignored (${name} is not in ${list.source})`;

  const providers: Array<Record<string, unknown>> = [];
  if (has('openai-custom')) {
    providers.push({
      name: 'openai-custom',
      type: 'openai',
      base_url: first(flags.openaiBaseUrl, envValue(env, 'OPENAI_BASE_URL'), str(openai['base_url'], 'openai', 'base_url')) ?? 'https://api.openai.com/v1',
      ...optional('api_key', first(flags.openaiApiKey, envValue(env, 'OPENAI_API_KEY'), str(openai['api_key'], 'openai', 'api_key'))),
    });
  }
  if (has('claude-custom')) {
    providers.push({
      name: 'claude-custom',
      type: 'anthropic',
      base_url: first(flags.claudeBaseUrl, envValue(env, 'CLAUDE_BASE_URL', 'ANTHROPIC_BASE_URL'), str(claude['base_url'], 'claude', 'base_url')) ?? 'https://api.anthropic.com',
      ...optional('api_key', first(flags.claudeApiKey, envValue(env, 'CLAUDE_API_KEY', 'ANTHROPIC_API_KEY'), str(claude['api_key'], 'claude', 'api_key'))),
    });
  }
  // go-aiproxy's "gemini-cli" with an API key is the Generative Language API; "-oauth" is Code Assist.
  if (has('gemini-cli')) {
    providers.push({
      name: 'gemini-cli',
      type: 'gemini',
      base_url: first(envValue(env, 'GEMINI_BASE_URL'), str(gemini['base_url'], 'gemini', 'base_url')) ?? 'https://generativelanguage.googleapis.com',
      ...optional('api_key', first(flags.geminiApiKey, envValue(env, 'GEMINI_API_KEY', 'GOOGLE_API_KEY'), str(gemini['api_key'], 'gemini', 'api_key'))),
    });
  }
  if (has('gemini-cli-oauth')) {
    const creds = first(flags.geminiOauthCredsFile, str(gemini['oauth_creds_file'], 'gemini', 'oauth_creds_file'));
    providers.push({
      name: 'gemini-cli-oauth',
      type: 'gemini-cli',
      ...optional('oauth_creds_file', creds === undefined || creds.startsWith('~') || isAbsolute(creds) ? creds : resolve(cwd, creds)),
      ...optional('project_id', first(flags.projectId, envValue(env, 'GOOGLE_CLOUD_PROJECT'), str(gemini['project_id'], 'gemini', 'project_id'))),
    });
  }

  const unused: Array<[boolean, string, string]> = [
    [flags.openaiApiKey !== undefined && !has('openai-custom'), AIPROXY_FLAGS.openaiApiKey, notListed('openai-custom')],
    [flags.openaiBaseUrl !== undefined && !has('openai-custom'), AIPROXY_FLAGS.openaiBaseUrl, notListed('openai-custom')],
    [flags.claudeApiKey !== undefined && !has('claude-custom'), AIPROXY_FLAGS.claudeApiKey, notListed('claude-custom')],
    [flags.claudeBaseUrl !== undefined && !has('claude-custom'), AIPROXY_FLAGS.claudeBaseUrl, notListed('claude-custom')],
    [flags.geminiApiKey !== undefined && !has('gemini-cli'), AIPROXY_FLAGS.geminiApiKey, notListed('gemini-cli')],
    [flags.geminiOauthCredsFile !== undefined && !has('gemini-cli-oauth'), AIPROXY_FLAGS.geminiOauthCredsFile, notListed('gemini-cli-oauth')],
    [flags.projectId !== undefined && !has('gemini-cli-oauth'), AIPROXY_FLAGS.projectId, notListed('gemini-cli-oauth')],
    [Object.keys(openai).length > 0 && !has('openai-custom'), 'openai', notListed('openai-custom')],
    [Object.keys(claude).length > 0 && !has('claude-custom'), 'claude', notListed('claude-custom')],
    [gemini['api_key'] !== undefined && !has('gemini-cli'), 'gemini.api_key', 'ignored (only gemini-cli uses an API key; gemini-cli-oauth uses the OAuth credentials file)'],
    [gemini['base_url'] !== undefined && !has('gemini-cli'), 'gemini.base_url', notListed('gemini-cli')],
    [gemini['project_id'] !== undefined && !has('gemini-cli-oauth'), 'gemini.project_id', 'ignored (only gemini-cli-oauth uses a project id; the Gemini API key carries its own)'],
    [gemini['oauth_creds_file'] !== undefined && !has('gemini-cli-oauth'), 'gemini.oauth_creds_file', notListed('gemini-cli-oauth')],
  ];
  for (const [isUnused, what, why] of unused) if (isUnused) warnings.push(`${what}: ${why}`);

  const host = first(envValue(env, 'AIPROXY_HOST'), str(f['host'], 'host'));
  const server: Record<string, unknown> = {
    ...(host === undefined ? {} : { host }),
    port: first(envValue(env, 'AIPROXY_PORT'), f['port'] ?? undefined) ?? AIPROXY_DEFAULT_PORT,
  };
  const key = first(envValue(env, 'AIPROXY_API_KEY'), str(f['api_key'], 'api_key')) ?? AIPROXY_DEFAULT_KEY;
  return {
    raw: { server, auth: { api_keys: [{ key, name: 'api-key' }] }, providers },
    warnings,
    errors,
  };
}

function providerList(fromFile: unknown, env: Env, flags: AiproxyFlags, errors: string[]): { names: ProviderName[]; source: string } {
  let source: string;
  let raw: string[];
  const fromEnv = envValue(env, 'AIPROXY_MODEL_PROVIDER');
  if (flags.modelProviders !== undefined) {
    source = AIPROXY_FLAGS.modelProviders;
    raw = flags.modelProviders;
  } else if (fromEnv !== undefined) {
    source = 'AIPROXY_MODEL_PROVIDER';
    raw = [fromEnv];
  } else if (fromFile !== undefined && fromFile !== null) {
    source = 'model_providers';
    if (typeof fromFile === 'string') raw = [fromFile];
    else if (Array.isArray(fromFile) && fromFile.every((x) => typeof x === 'string')) raw = fromFile;
    else {
      errors.push('model_providers: must be a list of provider names');
      raw = [];
    }
  } else {
    // go-aiproxy's documented default.
    return { names: ['openai-custom'], source: 'the default provider list (openai-custom)' };
  }
  const names: ProviderName[] = [];
  for (const name of raw.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '')) {
    if ((PROVIDER_NAMES as readonly string[]).includes(name)) {
      if (!names.includes(name as ProviderName)) names.push(name as ProviderName);
      continue;
    }
    const guess = closest(name, PROVIDER_NAMES);
    errors.push(`${source}: unknown provider "${name}"${guess === undefined ? '' : ` (did you mean "${guess}"?)`}; this format has ${PROVIDER_NAMES.join(', ')}`);
  }
  return { names, source };
}

function optional(key: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [key]: value };
}
