import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startProcess, waitUntil, type Proc } from '../lib/proc.ts';

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

export async function startLlmux(options: LlmuxOptions): Promise<Running> {
  const repo = process.env['AB_REPO'] || new URL('../..', import.meta.url).pathname;
  const dir = join(options.workDir, `llmux-${options.label ?? 'w1'}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'llmux.json');
  const patch = process.env['AB_PATCH'] ? JSON.parse(process.env['AB_PATCH']) : {};
  writeFileSync(file, JSON.stringify({ ...llmuxConfig(options.mockUrl), ...patch }, null, 2));
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
