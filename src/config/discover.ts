import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const CANDIDATE_NAMES = [
  'llmux.yaml',
  'llmux.yml',
  'llmux.jsonc',
  'llmux.json',
  'config.yaml',
  'config.yml',
  'config.jsonc',
  'config.json',
] as const;

export type Discovery = { kind: 'file'; path: string; from: 'flag' | 'env' | 'cwd' } | { kind: 'none' };

/** `--config`, else `$LLMUX_CONFIG`, else the first candidate in the working directory. */
export function discoverConfig(flag: string | undefined, env: Record<string, string | undefined>, cwd: string): Discovery {
  if (flag !== undefined && flag !== '') return { kind: 'file', path: resolve(cwd, flag), from: 'flag' };
  const fromEnv = env['LLMUX_CONFIG'];
  if (fromEnv !== undefined && fromEnv !== '') return { kind: 'file', path: resolve(cwd, fromEnv), from: 'env' };
  for (const name of CANDIDATE_NAMES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return { kind: 'file', path, from: 'cwd' };
  }
  return { kind: 'none' };
}
