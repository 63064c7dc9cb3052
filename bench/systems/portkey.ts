import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, run, startProcess, waitUntil } from '../lib/proc.ts';
import type { Say } from '../lib/setup.ts';
import type { Running } from './llmux.ts';

export const PORTKEY_VERSION = '1.15.2';
/** Portkey's own lockfile pins these; with newer ones its streaming answers 500. */
const PINS = { hono: '4.9.7', '@hono/node-server': '1.13.5' };

const DIR = new URL('../.portkey/', import.meta.url).pathname;
const ENTRY = join(DIR, 'node_modules/@portkey-ai/gateway/build/start-server.js');

function installedVersion(pkg: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(DIR, 'node_modules', pkg, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

function ready(): boolean {
  return existsSync(ENTRY) && installedVersion('@portkey-ai/gateway') === PORTKEY_VERSION && installedVersion('hono') === PINS.hono && installedVersion('@hono/node-server') === PINS['@hono/node-server'];
}

/** Installs the gateway into bench/.portkey (gitignored) with the pins; undefined when ready, else why not. */
export async function ensurePortkey(allowInstall: boolean, say: Say): Promise<string | undefined> {
  if (ready()) return undefined;
  if (!allowInstall) return `not installed in bench/.portkey (a full \`npm run bench\` installs it)`;
  mkdirSync(DIR, { recursive: true });
  const manifest = {
    name: 'llmux-bench-portkey',
    private: true,
    description: 'Installed by npm run bench; not part of llmux.',
    dependencies: { '@portkey-ai/gateway': PORTKEY_VERSION, ...PINS },
    overrides: PINS,
  };
  writeFileSync(join(DIR, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  say(`installing @portkey-ai/gateway@${PORTKEY_VERSION} (hono ${PINS.hono}, @hono/node-server ${PINS['@hono/node-server']}) into bench/.portkey`);
  const npmCli = process.env['npm_execpath'];
  const [command, args] = npmCli !== undefined && npmCli.endsWith('.js') ? [process.execPath, [npmCli]] : ['npm', []];
  const r = await run(command, [...args, 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], 240_000, { cwd: DIR });
  if (r.code !== 0) return `npm install failed${r.timedOut ? ' (timed out after 240 s)' : ''}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`;
  if (!ready()) return 'npm install finished but the gateway or its pins are not where expected';
  return undefined;
}

/** `start-server.js --headless`: the Node server without the log UI; the upstream is chosen per request by headers. */
export async function startPortkey(reusePort?: number): Promise<Running> {
  const port = reusePort ?? (await freePort());
  const proc = startProcess('portkey', process.execPath, [ENTRY, `--port=${port}`, '--headless'], { cwd: DIR, discardStdout: true });
  const url = `http://127.0.0.1:${port}`;
  // Any answer (even a 4xx for a GET without provider headers) means it listens.
  await waitUntil('portkey', async () => (await fetch(`${url}/v1/models`)).status > 0, 20_000, proc);
  return { url, proc };
}

export function portkeyHeaders(mockUrl: string): Record<string, string> {
  return { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${mockUrl}/v1` };
}
