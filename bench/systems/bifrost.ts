import { chmodSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, run, startProcess, waitUntil } from '../lib/proc.ts';
import type { Say } from '../lib/setup.ts';
import type { Running } from './llmux.ts';

/** Bifrost's Go HTTP transport, the fastest published gateway. */
export const BIFROST_MODULE = 'github.com/maximhq/bifrost/transports';
export const BIFROST_VERSION = 'v1.5.3';

const DIR = new URL('../.bifrost/', import.meta.url).pathname;
const BIN = join(DIR, `bifrost-http-${BIFROST_VERSION}`);

function firstLines(text: string, n = 2): string {
  return text.trim().split('\n').filter((l) => l.trim() !== '').slice(0, n).join(' | ');
}

/**
 * Builds the transport from the module the Go module proxy serves, into bench/.bifrost
 * (gitignored), once. A plain `go install …/bifrost-http@version` cannot build it: its main
 * package embeds a `ui/` folder that the published module does not contain (the web UI is built
 * by a separate npm step), so the module is downloaded, an empty page put where the UI would be,
 * and the main package built from there. Undefined when the binary is ready, else why not.
 */
export async function ensureBifrost(allowInstall: boolean, say: Say): Promise<string | undefined> {
  if (existsSync(BIN)) return undefined;
  if (!allowInstall) return `not built in bench/.bifrost (a full \`npm run bench\` builds it)`;
  const go = await run('go', ['version'], 10_000);
  if (go.code !== 0) return 'no Go toolchain (`go` not found)';
  mkdirSync(DIR, { recursive: true });
  say(`building Bifrost ${BIFROST_VERSION} (${BIFROST_MODULE}) with ${go.stdout.trim().split(' ')[2] ?? 'go'} into bench/.bifrost (one time)`);
  const dl = await run('go', ['mod', 'download', '-json', `${BIFROST_MODULE}@${BIFROST_VERSION}`], 600_000, { cwd: DIR });
  let info: { Dir?: string; Error?: string } = {};
  try {
    info = JSON.parse(dl.stdout) as { Dir?: string; Error?: string };
  } catch {
    // no JSON: the error is on stderr
  }
  if (info.Error !== undefined || info.Dir === undefined) {
    // The reason without the proxy's address (which GOPROXY names anyway).
    const why = firstLines(info.Error ?? dl.stderr).replace(/^\S+@\S+: /, '').replace(/reading \S+: /, '').replace(/\s*\|\s*server response:/, ':');
    return `the Go module proxy did not serve ${BIFROST_MODULE}@${BIFROST_VERSION} (${why})`;
  }
  const src = join(DIR, 'src');
  rmSync(src, { recursive: true, force: true });
  cpSync(info.Dir, src, { recursive: true });
  chmodSync(src, 0o755);
  await run('chmod', ['-R', 'u+w', src], 30_000);
  const ui = join(src, 'bifrost-http', 'ui');
  mkdirSync(ui, { recursive: true });
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>not built</title>\n');
  const build = await run('go', ['build', '-trimpath', '-o', BIN, '.'], 900_000, { cwd: join(src, 'bifrost-http'), env: { ...process.env, CGO_ENABLED: '1' } });
  if (build.code !== 0 || !existsSync(BIN)) return `go build failed${build.timedOut ? ' (timed out after 15 min)' : ''}: ${firstLines(build.stderr || build.stdout, 3)}`;
  rmSync(src, { recursive: true, force: true });
  return undefined;
}

/**
 * File-only mode (no config store, no log store): one OpenAI provider whose base URL is the
 * mock; a request names its model as `openai/<model>`.
 */
export function bifrostConfig(mockUrl: string): Record<string, unknown> {
  return {
    client: { drop_excess_requests: false, enable_logging: false, disable_content_logging: true },
    providers: {
      openai: {
        keys: [{ name: 'mock', value: 'sk-upstream-openai', models: ['*'], weight: 1.0 }],
        network_config: { base_url: mockUrl, default_request_timeout_in_seconds: 30, max_retries: 0 },
        concurrency_and_buffer_size: { concurrency: 1000, buffer_size: 5000 },
      },
    },
    config_store: { enabled: false },
    logs_store: { enabled: false },
  };
}

export async function startBifrost(workDir: string, mockUrl: string, reusePort?: number): Promise<Running> {
  const dir = join(workDir, 'bifrost');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(bifrostConfig(mockUrl), null, 2));
  const port = reusePort ?? (await freePort());
  const proc = startProcess('bifrost', BIN, ['-app-dir', dir, '-host', '127.0.0.1', '-port', String(port), '-log-level', 'error'], { cwd: dir, discardStdout: true });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil('bifrost', async () => (await fetch(`${url}/health`)).status > 0, 30_000, proc);
  return { url, proc };
}
