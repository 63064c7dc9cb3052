import { formatPath } from '../issues.ts';
import { isRecord, pick, stringAt, type DialectResult } from './dialect.ts';

/**
 * Seed 003 (OpenAICompatible): `host`, `port` and one array per provider kind (`codegeex`, `qwen`,
 * `gemini_cli`), each entry one credential. Every entry becomes a provider named after its
 * `prefix`, and the format's models are always "<prefix>/<model>", so routing is prefix mode.
 * Models are discovered from each provider. A gemini_cli entry carries its OAuth token inline
 * (`token_location` tells the provider where in this file to write a refreshed token back), or
 * names the Gemini CLI's credentials file (`oauth_creds_file`, refreshed and written back there,
 * as for llmux's own gemini-cli providers).
 */
const KINDS = [
  { key: 'codegeex', type: 'codegeex' },
  { key: 'qwen', type: 'qwen' },
  { key: 'gemini_cli', type: 'gemini-cli' },
] as const;

/** Copied 1:1 onto the provider (llmux's schema uses the same names). */
const WEB_TOKEN_FIELDS = ['token', 'user_id', 'ide', 'ide_version', 'plugin_version', 'machine_id', 'talk_id', 'locale', 'base_url'] as const;
const GEMINI_FIELDS = ['project_id', 'base_url', 'oauth_token_url', 'oauth_creds_file'] as const;

/** `file` is the absolute path of the config file, for `token_location`. */
export function fromOpenAICompatible(file: Record<string, unknown>, path: string): DialectResult {
  const warnings: string[] = [];
  const errors: string[] = [];
  const top = pick(file, [], ['host', 'port', ...KINDS.map((k) => k.key)], 'openai-compatible', warnings);
  const raw: Record<string, unknown> = { routing: { mode: 'prefix' } };
  const server: Record<string, unknown> = {};
  if (top['host'] !== undefined) server['host'] = stringAt(top['host'], ['host'], errors);
  if (top['port'] !== undefined) server['port'] = top['port'];
  if (Object.keys(server).length > 0) raw['server'] = server;

  const providers: Array<Record<string, unknown>> = [];
  const taken = new Map<string, string>();
  for (const kind of KINDS) {
    const value = top[kind.key];
    if (value === undefined || value === null) continue;
    // Early versions of the format held one object per kind instead of an array.
    const entries: Array<{ entry: unknown; at: Array<string | number> }> = Array.isArray(value)
      ? value.map((entry, i) => ({ entry, at: [kind.key, i] }))
      : [{ entry: value, at: [kind.key] }];
    for (const { entry, at } of entries) {
      if (!isRecord(entry)) {
        errors.push(`${formatPath(at)}: must be an object`);
        continue;
      }
      const known = kind.type === 'gemini-cli' ? ['prefix', 'token', ...GEMINI_FIELDS] : ['prefix', 'user_role', ...WEB_TOKEN_FIELDS];
      const e = pick(entry, at, known, 'openai-compatible', warnings);
      const name = providerName(e['prefix'], kind.key, at, taken, warnings, errors);
      if (name === undefined) continue;
      const provider: Record<string, unknown> = { name, type: kind.type };
      if (kind.type === 'gemini-cli') {
        for (const field of GEMINI_FIELDS) if (e[field] !== undefined) provider[field] = stringAt(e[field], [...at, field], errors);
        const hasToken = e['token'] !== undefined && e['token'] !== null;
        if (e['oauth_creds_file'] !== undefined) {
          // The format's own example ships an empty token: with a credentials file named, that is no conflict.
          if (hasToken && e['token'] !== '') warnings.push(`${formatPath([...at, 'token'])}: ignored, since oauth_creds_file names the credentials to use`);
        } else if (hasToken) {
          provider['token'] = e['token'];
          provider['token_location'] = { file: path, pointer: [...at, 'token'] };
        }
      } else {
        for (const field of WEB_TOKEN_FIELDS) if (e[field] !== undefined) provider[field] = stringAt(e[field], [...at, field], errors);
        if (e['user_role'] !== undefined) provider['user_role'] = e['user_role'];
      }
      providers.push(provider);
    }
  }
  raw['providers'] = providers;
  return { raw, warnings, errors };
}

/**
 * The entry's prefix, else the kind's own name (the format's models read `codegeex/<model>`).
 * llmux names must be unique, so a second entry under a taken name gets a numbered one.
 */
function providerName(
  prefix: unknown,
  kind: string,
  at: Array<string | number>,
  taken: Map<string, string>,
  warnings: string[],
  errors: string[],
): string | undefined {
  const given = prefix === undefined || prefix === null || prefix === '' ? undefined : stringAt(prefix, [...at, 'prefix'], errors);
  if (given?.includes('/') === true) {
    errors.push(`${formatPath([...at, 'prefix'])}: must not contain "/" (it separates the prefix from the model)`);
    return undefined;
  }
  const base = given ?? kind;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  if (name !== base) {
    warnings.push(
      `${formatPath(at)}: the prefix "${base}" is already used by ${taken.get(base)}; llmux names this provider "${name}", so its models are "${name}/<model>"`,
    );
  }
  taken.set(name, formatPath(at));
  return name;
}
