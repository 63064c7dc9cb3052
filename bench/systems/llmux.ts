import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, run, startProcess, waitUntil, type Proc } from '../lib/proc.ts';

export const CLIENT_KEY = 'sk-bench-client';

export interface LlmuxOptions {
  workDir: string;
  mockUrl: string;
  workers?: number;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  label?: string;
  /** Reuse a port (a restart); else a free one. */
  port?: number;
  /** The config to run with; default llmuxConfig(mockUrl). */
  config?: Record<string, unknown>;
}

export interface Running {
  url: string;
  proc: Proc;
}

/**
 * llmux as a user runs it: a config file with a client key, an OpenAI-type provider and an
 * Anthropic-type provider on the mock, access logging on at level info (stdout, which the bench
 * sends to /dev/null), metrics on, health checks at their defaults.
 */
export function llmuxConfig(mockUrl: string): Record<string, unknown> {
  return {
    server: { host: '127.0.0.1' },
    auth: { api_keys: [{ key: CLIENT_KEY, name: 'bench' }] },
    providers: [
      { name: 'mock-openai', type: 'openai', base_url: `${mockUrl}/v1`, api_key: 'sk-upstream-openai', models: ['bench*'] },
      { name: 'mock-anthropic', type: 'anthropic', base_url: mockUrl, api_key: 'sk-ant-upstream', models: ['claude-bench*'] },
    ],
    logging: { level: 'info', format: 'json', requests: true },
    metrics: { enabled: true },
  };
}

export const LARGE = { providers: 100, modelsPerProvider: 10, keys: 10_000, rules: 200, aliases: 200 };

/**
 * The bench config grown to a large deployment's routing state: 100 more providers on the mock
 * with 10 models each (1,000 models), 10,000 client keys each with a model allow-list of globs,
 * 200 model rules and 200 aliases. The measured request is the small config's (model "bench",
 * the bench's key), but every lookup on its way now searches the large state: the bench's key
 * is the last one listed, its allow-list ends with the glob that admits "bench", and no rule
 * matches it, so every rule is tried.
 */
export function largeStateConfig(mockUrl: string): Record<string, unknown> {
  const small = llmuxConfig(mockUrl) as { providers: unknown[] };
  const providers = [...small.providers];
  for (let p = 0; p < LARGE.providers; p++) {
    providers.push({
      name: `p${p}`, type: 'openai', base_url: `${mockUrl}/v1`, api_key: `sk-upstream-p${p}`,
      models: Array.from({ length: LARGE.modelsPerProvider }, (_, m) => `m${p}-${m}`),
    });
  }
  const api_keys = Array.from({ length: LARGE.keys - 1 }, (_, k) => ({ key: `sk-large-${k}`, name: `key-${k}`, models: [`m${k % LARGE.providers}-*`, `alias-${k % LARGE.aliases}`, 'claude-*'] }));
  api_keys.push({ key: CLIENT_KEY, name: 'bench', models: ['m1-*', 'alias-*', 'claude-*', 'bench*'] });
  const aliases: Record<string, string> = {};
  for (let a = 0; a < LARGE.aliases; a++) aliases[`alias-${a}`] = `p${a % LARGE.providers}/m${a % LARGE.providers}-${a % LARGE.modelsPerProvider}`;
  const model_rules = Array.from({ length: LARGE.rules }, (_, r) => ({ match_model: `m${r % LARGE.providers}-${r % LARGE.modelsPerProvider}*`, set: { temperature: 0.5 } }));
  return { ...small, providers, auth: { api_keys }, routing: { aliases }, model_rules };
}

/** The usage ledger off (its default is on, where the build has one). */
export function ledgerOffConfig(mockUrl: string): Record<string, unknown> {
  return { ...llmuxConfig(mockUrl), usage: { store: 'off' } };
}

/** Whether this build of llmux accepts a config (`llmux check`); undefined when it does, else why not. */
export async function llmuxRejects(workDir: string, name: string, config: Record<string, unknown>): Promise<string | undefined> {
  const repo = process.env['AB_REPO'] || new URL('../..', import.meta.url).pathname;
  const dir = join(workDir, `check-${name}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'llmux.json');
  writeFileSync(file, JSON.stringify(config));
  const r = await run(process.execPath, ['bin/llmux.js', 'check', '--config', file], 60_000, { cwd: repo, env: { ...process.env, INIT_CWD: dir } });
  if (r.code === 0) return undefined;
  return (r.stdout + r.stderr).split('\n').filter((l) => /^\s+\S|error/.test(l)).slice(0, 2).join(' ').trim() || `llmux check exited ${String(r.code)}`;
}

/**
 * The compile cache filled as `npm install` fills it: a source edited since then would otherwise be
 * type-stripped at start, and the stripper stays resident (idle RSS measured ~10 MB high).
 */
const warmed = new Map<string, Promise<unknown>>();
function warmCompileCache(repo: string): Promise<unknown> {
  let w = warmed.get(repo);
  if (w === undefined) {
    w = run(process.execPath, ['bin/warm-compile-cache.js'], 120_000, { cwd: repo });
    warmed.set(repo, w);
  }
  return w;
}

export async function startLlmux(options: LlmuxOptions): Promise<Running> {
  const repo = process.env['AB_REPO'] || new URL('../..', import.meta.url).pathname;
  await warmCompileCache(repo);
  const dir = join(options.workDir, `llmux-${options.label ?? 'w1'}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'llmux.json');
  const patch = process.env['AB_PATCH'] ? JSON.parse(process.env['AB_PATCH']) : {};
  writeFileSync(file, JSON.stringify({ ...(options.config ?? llmuxConfig(options.mockUrl)), ...patch }, null, 2));
  const port = options.port ?? (await freePort());
  const args = ['--max-semi-space-size=8', ...(options.nodeFlags ?? []), 'bin/llmux.js', '--config', file, '--port', String(port)];
  if (options.workers !== undefined && options.workers > 1) args.push('--workers', String(options.workers));
  // INIT_CWD: where llmux looks for a config of its own; the temp dir holds only ours.
  const proc = startProcess(`llmux${options.workers !== undefined && options.workers > 1 ? ` --workers ${options.workers}` : ''}`, process.execPath, args, {
    cwd: repo,
    env: { ...process.env, INIT_CWD: dir, LLMUX_LOG_LEVEL: 'info' },
    discardStdout: true,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil('llmux', async () => (await fetch(`${url}/health`)).ok, 20_000, proc);
  return { url, proc };
}
