import { formatPath } from '../issues.ts';

/**
 * What every format loader returns: llmux's raw config (the input of `configSchema`, so defaults
 * and validation stay in one place), plus what the format had that llmux does not use (warnings)
 * and what cannot be mapped at all (errors). Warnings and errors name settings, never their values.
 */
export interface DialectResult {
  raw: Record<string, unknown>;
  warnings: string[];
  errors: string[];
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The configuration formats llmux reads; `llmux` is its own schema (which also takes go-oai-gateway's names). */
export const FORMATS = {
  llmux: 'llmux',
  'go-aiproxy': 'go-aiproxy',
  'go-aigateway': 'go-aigateway environment',
  'openai-compatible': 'OpenAICompatible',
  'llm-relay': 'llm-relay',
} as const;

export type FormatId = keyof typeof FORMATS;

export { isObject as isRecord } from '../../core/json.ts';

/** An environment variable's value, with empty meaning unset (as `export X=` usually intends). */
export function envValue(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/** The first of `values` that is set. */
export function first<T>(...values: Array<T | undefined>): T | undefined {
  for (const v of values) if (v !== undefined) return v;
  return undefined;
}

/** Reads the keys a format defines from one of its objects, collecting a warning for every other key. */
export function pick(
  object: Record<string, unknown>,
  path: ReadonlyArray<string | number>,
  known: readonly string[],
  format: FormatId,
  warnings: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (known.includes(key)) out[key] = value;
    else warnings.push(`${formatPath([...path, key])}: ignored (not a setting of the ${FORMATS[format]} format)`);
  }
  return out;
}

/** A value that must be a string (or a number, which YAML and env files produce for ids and ports). */
export function stringAt(value: unknown, path: ReadonlyArray<string | number>, errors: string[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  errors.push(`${formatPath(path)}: must be a string`);
  return undefined;
}
