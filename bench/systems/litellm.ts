import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, run, startProcess, waitUntil } from '../lib/proc.ts';
import { ensureDebianPackages, type Say } from '../lib/setup.ts';
import type { Running } from './llmux.ts';

/**
 * LiteLLM's proxy, the most used gateway. 1.100.5 is pinned: later releases moved the proxy
 * into a `litellm-proxy` distribution that PyPI does not serve for their `[proxy]` extra.
 */
export const LITELLM_VERSION = '1.100.5';

const DIR = new URL('../.litellm/', import.meta.url).pathname;
const VENV = join(DIR, 'venv');
const PY = join(VENV, 'bin/python');
const CLI = join(VENV, 'bin/litellm');

async function installedVersion(): Promise<string | undefined> {
  if (!existsSync(PY) || !existsSync(CLI)) return undefined;
  const r = await run(PY, ['-c', 'import importlib.metadata as m; print(m.version("litellm"))'], 30_000);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** A venv in bench/.litellm (gitignored) with `litellm[proxy]` pinned; undefined when ready, else why not. */
export async function ensureLitellm(allowInstall: boolean, say: Say): Promise<string | undefined> {
  if ((await installedVersion()) === LITELLM_VERSION) return undefined;
  if (!allowInstall) return `not installed in bench/.litellm (a full \`npm run bench\` installs it)`;
  mkdirSync(DIR, { recursive: true });
  if (!existsSync(PY)) {
    let r = await run('python3', ['-m', 'venv', VENV], 120_000);
    if (r.code !== 0) {
      // Debian splits venv (and ensurepip) out of python3.
      const why = await ensureDebianPackages(['python3-venv'], allowInstall, say);
      if (why !== undefined) return `no Python venv: ${why}`;
      r = await run('python3', ['-m', 'venv', VENV], 120_000);
      if (r.code !== 0) return `python3 -m venv failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' | ')}`;
    }
  }
  say(`installing litellm[proxy]==${LITELLM_VERSION} into bench/.litellm/venv (one time, a few minutes)`);
  const r = await run(PY, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', `litellm[proxy]==${LITELLM_VERSION}`], 900_000);
  if (r.code !== 0) return `pip install failed${r.timedOut ? ' (timed out after 15 min)' : ''}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`;
  const v = await installedVersion();
  return v === LITELLM_VERSION ? undefined : `pip install finished but litellm ${v ?? 'is missing'} is installed, not ${LITELLM_VERSION}`;
}

/**
 * The proxy's config: each model the bench asks for (the stream shape is in its name) is an
 * OpenAI-compatible model on the mock. No master key and no database_url: no auth, no database,
 * no spend logs; message logging off.
 */
export function litellmConfig(mockUrl: string, models: string[]): string {
  const lines = ['model_list:'];
  for (const m of models) {
    lines.push(`  - model_name: ${JSON.stringify(m)}`, '    litellm_params:', `      model: ${JSON.stringify(`openai/${m}`)}`, `      api_base: ${JSON.stringify(`${mockUrl}/v1`)}`, '      api_key: sk-upstream-openai');
  }
  lines.push(
    'litellm_settings:',
    '  set_verbose: false',
    '  turn_off_message_logging: true',
    '  telemetry: false',
    '  request_timeout: 30',
    'general_settings:',
    '  disable_spend_logs: true',
    '  disable_error_logs: true',
    '  disable_adding_master_key_hash_to_db: true',
    '  background_health_checks: false',
  );
  return `${lines.join('\n')}\n`;
}

/** `litellm --config … --num_workers 1`, its price map read from the package (no remote fetch). */
export async function startLitellm(workDir: string, mockUrl: string, models: string[], reusePort?: number): Promise<Running> {
  const dir = join(workDir, 'litellm');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'config.yaml');
  writeFileSync(file, litellmConfig(mockUrl, models));
  const port = reusePort ?? (await freePort());
  const env = {
    ...process.env,
    LITELLM_LOCAL_MODEL_COST_MAP: 'True',
    LITELLM_LOG: 'ERROR',
    LITELLM_TELEMETRY: 'False',
    DISABLE_SCHEMA_UPDATE: 'True',
    NO_DOCS: 'True',
    PYTHONDONTWRITEBYTECODE: '1',
  };
  const proc = startProcess('litellm', CLI, ['--config', file, '--host', '127.0.0.1', '--port', String(port), '--num_workers', '1', '--telemetry', 'False'], { cwd: dir, env, discardStdout: true });
  const url = `http://127.0.0.1:${port}`;
  // The proxy imports a great deal at start: up to a minute on a busy machine.
  await waitUntil('litellm', async () => (await fetch(`${url}/health/liveliness`)).ok, 90_000, proc);
  return { url, proc };
}
