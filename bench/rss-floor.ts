import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { rssMb, startProcess, waitUntil } from './lib/proc.ts';

/**
 * Where llmux's idle RSS comes from: the same Node, with the same flags, loading less and less of
 * what llmux loads, each idle after a forced GC. The difference between two steps is what that
 * step costs; the first step is the floor no Node program gets under.
 */
const REPO = new URL('..', import.meta.url).pathname;
// The cache is written at a normal exit or on flush; these processes are stopped with a signal.
const HOLD = "(await import('node:module')).flushCompileCache?.(); globalThis.gc?.(); process.stdout.write('ready\\n'); setInterval(() => {}, 1 << 30);";
// ioredis, pg and yaml are left out: llmux imports them only for Redis limits, a Postgres ledger or
// a YAML config. undici is imported as llmux does: its Pool and errors, not its whole entry point.
const DEPS = ['fastify', 'pino', 'prom-client', 'zod', 'jsonc-parser'];
const IMPORTS = `${DEPS.map((d) => `await import('${d}');`).join(' ')} const req = (await import('node:module')).createRequire(process.cwd() + '/'); const Pool = req('undici/lib/dispatcher/pool.js'); req('undici/lib/core/errors.js');`;
// One GET through the Pool with a bare dispatch handler, as llmux's upstream client sends.
const ONE_REQUEST = "await new Promise((resolve, reject) => new Pool('http://127.0.0.1:' + a.port).dispatch({ path: '/', method: 'GET' }, { onRequestStart() {}, onResponseStart() {}, onResponseData() {}, onResponseEnd: resolve, onResponseError: (_c, e) => reject(e) }));";

const STEPS: Array<{ what: string; args: string[] }> = [
  { what: 'Node 24, empty script', args: ['--input-type=module', '-e', HOLD] },
  { what: "+ llmux's dependencies imported (fastify, pino, prom-client, zod, jsonc-parser, undici's Pool)", args: ['--input-type=module', '-e', `${IMPORTS} ${HOLD}`] },
  {
    what: '+ a fastify server listening and undici making one request (their lazily loaded parts)',
    args: ['--input-type=module', '-e', `${IMPORTS} const { default: F } = await import('fastify'); const f = F(); f.get('/', async () => 'ok'); await f.listen({ port: 0, host: '127.0.0.1' }); const a = f.server.address(); ${ONE_REQUEST} ${HOLD}`],
  },
  {
    what: '+ the usage ledger\'s SQLite database open (node:sqlite, WAL)',
    args: ['--input-type=module', '-e', `${IMPORTS} const { default: F } = await import('fastify'); const f = F(); f.get('/', async () => 'ok'); await f.listen({ port: 0, host: '127.0.0.1' }); const a = f.server.address(); ${ONE_REQUEST} const { DatabaseSync } = await import('node:sqlite'); const db = new DatabaseSync(':memory:'); db.exec('PRAGMA journal_mode = WAL; CREATE TABLE t (a)'); ${HOLD}`],
  },
  {
    what: "+ llmux's own modules imported (the server's import graph, nothing started)",
    args: ['--input-type=module', '-e', `${IMPORTS} const { default: F } = await import('fastify'); const f = F(); f.get('/', async () => 'ok'); await f.listen({ port: 0, host: '127.0.0.1' }); const a = f.server.address(); ${ONE_REQUEST} const { DatabaseSync } = await import('node:sqlite'); const db = new DatabaseSync(':memory:'); db.exec('PRAGMA journal_mode = WAL; CREATE TABLE t (a)'); await import('./src/cli/serve.ts'); ${HOLD}`],
  },
];

/**
 * Each step runs twice with Node's compile cache in a directory of its own (as llmux starts with
 * the cache `npm install` fills): the first run fills it, the second is measured.
 */
export async function measureRssFloor(workDir: string, settleMs = 1500): Promise<Array<{ what: string; mb: number }>> {
  const out: Array<{ what: string; mb: number }> = [];
  const env = { ...process.env, NODE_COMPILE_CACHE: join(workDir, 'rss-floor-cache') };
  for (const step of STEPS) {
    for (const measured of [false, true]) {
      const p = startProcess('rss floor', process.execPath, ['--max-semi-space-size=8', '--expose-gc', ...step.args], { cwd: REPO, env });
      try {
        // Loading takes seconds on a busy machine; settle once everything is loaded.
        await waitUntil('rss floor step', async () => p.output().includes('ready'), 60_000, p);
        await sleep(settleMs);
        if (!p.alive()) throw new Error(`exited: ${p.output().slice(-300)}`);
        if (measured) out.push({ what: step.what, mb: Math.round(rssMb(p.pid) * 10) / 10 });
      } finally {
        await p.stop();
      }
    }
  }
  return out;
}
