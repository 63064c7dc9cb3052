import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { startAgentUpstream, type AgentScript, type AgentUpstream, type UpstreamProtocol } from './agent-upstream.ts';

/** Where `.ci/clients.sh` installs the pinned clients. */
export const CLIENTS_DIR = process.env['LLMUX_CLIENTS_DIR'] ?? join(homedir(), '.cache', 'llmux-clients');

/** The native or Node entry of each client, inside the install prefix. */
export const CLIENT_BINARIES = {
  claude: join(CLIENTS_DIR, 'node_modules', '@anthropic-ai', 'claude-code-linux-x64', 'claude'),
  gemini: join(CLIENTS_DIR, 'node_modules', '.bin', 'gemini'),
  codex: join(CLIENTS_DIR, 'node_modules', '@openai', 'codex', 'bin', 'codex.js'),
} as const;

/** The reason a client's tests skip, or undefined when it is installed. */
export function missingClient(name: keyof typeof CLIENT_BINARIES): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `the suite runs the linux-x64 client builds; this is ${process.platform}-${process.arch}`;
  return existsSync(CLIENT_BINARIES[name]) ? undefined : `${name} is not installed in ${CLIENTS_DIR}: run .ci/clients.sh`;
}

/** Every run is killed after this long: a client that hangs on the network must not hang the suite. */
export const CLIENT_TIMEOUT_MS = 120_000;

export interface Stack {
  upstream: AgentUpstream;
  gateway: TestGateway;
  /** Where the client is pointed: llmux itself, or a recording tap in front of it (LLMUX_RECORD_CLIENTS). */
  clientUrl: string;
  script: AgentScript;
  /** A fresh HOME for the client, so no user config, credential or cache is read or written. */
  home: string;
  /** The client's working directory; the proof file is written here. */
  work: string;
}

/**
 * llmux in front of a scripted upstream of `protocol`, named `up`. `config` is merged into the
 * gateway config (model_rules, aliases...). Torn down with the test.
 */
export async function startStack(
  t: TestContext,
  protocol: UpstreamProtocol,
  client: string,
  config: Record<string, unknown> = {},
  models: string[] = ['*'],
  prefer: AgentScript['prefer'] = 'write',
): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), `llmux-${client}-`));
  const home = join(dir, 'home');
  const work = join(dir, 'work');
  mkdirSync(home, { recursive: true });
  mkdirSync(work, { recursive: true });
  const script: AgentScript = {
    proofFile: join(work, 'proof.txt'),
    proofText: `${client} wrote this through llmux to ${protocol}`,
    finalText: `LLMUX-${client.toUpperCase()}-${protocol.toUpperCase()}-DONE`,
    prefer,
  };
  const upstream = await startAgentUpstream(protocol, script);
  const baseUrl = protocol === 'openai' ? `${upstream.url}/v1` : upstream.url;
  const gateway = await startGateway({
    providers: [{ name: 'up', type: protocol, base_url: baseUrl, api_key: 'upstream-key', models }],
    health_check: { enabled: false },
    ...config,
  });
  const record = process.env['LLMUX_RECORD_CLIENTS'];
  const tap = record === undefined || record === '' ? undefined : await startTap(gateway.url);
  t.after(async () => {
    if (tap !== undefined && record !== undefined) saveFixture(record, `${client}-${t.name.replace(/[^a-zA-Z0-9]+/g, '-').slice(0, 60)}`, tap.exchanges, dir);
    await tap?.close();
    await gateway.close();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { upstream, gateway, clientUrl: tap?.url ?? gateway.url, script, home, work };
}

/** A loopback URL nothing listens on: a port the OS gave out and that was closed again at once. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export interface ClientRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

/**
 * Runs a client with exactly `env` (plus PATH), never the caller's environment, so no real key or
 * setting leaks in. The process group is killed at the time limit.
 */
export async function runClient(command: string, args: string[], opts: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<ClientRun> {
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, opts.timeoutMs ?? CLIENT_TIMEOUT_MS);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  return { code, signal, stdout, stderr, timedOut, ms: Math.round(performance.now() - started) };
}

/** What every client run must show: exit 0, the file on disk, the result paired upstream, the final text, no error status. */
export function assertAgentLoop(stack: Stack, run: ClientRun, output: string = run.stdout): void {
  const context = `exit ${String(run.code)}${run.timedOut ? ' (timed out)' : ''} after ${run.ms} ms\nstdout: ${run.stdout.slice(-3000)}\nstderr: ${run.stderr.slice(-3000)}\naccess log: ${JSON.stringify(accessLines(stack))}`;
  assert.equal(run.timedOut, false, `the client hung\n${context}`);
  assert.deepEqual(stack.upstream.rejected, [], `the upstream refused a request as the real API would\n${context}`);
  const failed = accessLines(stack).filter((l) => Number(l['status']) >= 400);
  assert.deepEqual(failed, [], `llmux answered an error\n${context}`);
  assert.equal(run.code, 0, context);
  assert.equal(stack.upstream.calls.length, 1, `the upstream was asked for one tool call\n${context}`);
  assert.ok(existsSync(stack.script.proofFile), `the tool did not write ${stack.script.proofFile}\n${context}`);
  assert.equal(readFileSync(stack.script.proofFile, 'utf8').trim(), stack.script.proofText);
  assert.ok(stack.upstream.results.length > 0, `no tool result reached the upstream\n${context}`);
  assert.ok(stack.upstream.results.every((r) => r.matched), `a tool result answered no call the upstream made: ${JSON.stringify(stack.upstream.results)} vs ${JSON.stringify(stack.upstream.calls)}`);
  assert.ok(output.includes(stack.script.finalText), `the final text is not in the client's output\n${context}`);
}

/** llmux's access lines for proxied requests. */
export function accessLines(stack: Stack): Array<Record<string, unknown>> {
  return stack.gateway.logs.filter((l) => l['msg'] === 'request');
}

/**
 * Undefined when llmux serves the Responses API, else why a Responses client cannot run yet. The
 * probe's own 400 is taken out of the access log so it is not mistaken for the client's.
 */
export async function responsesRouteMissing(stack: Stack, key: string): Promise<string | undefined> {
  const res = await fetch(`${stack.gateway.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: '{}' });
  const text = await res.text();
  stack.gateway.logs.length = 0;
  return res.status === 404 && /route/i.test(text) ? 'llmux has no POST /v1/responses route yet (the Responses door)' : undefined;
}

// ---- recording a client's real traffic as fixtures ---------------------------------------------

interface Exchange {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  status: number;
}

/** A pass-through proxy in front of llmux that keeps what the client sent. */
async function startTap(target: string): Promise<{ url: string; exchanges: Exchange[]; close(): Promise<void> }> {
  const exchanges: Exchange[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      let body: unknown = raw.length === 0 ? undefined : raw.toString('utf8');
      try {
        body = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
      } catch {
        // kept as text
      }
      const exchange: Exchange = { method: req.method ?? 'GET', path: req.url ?? '/', headers, body, status: 0 };
      exchanges.push(exchange);
      const forward = { ...headers };
      delete forward['host'];
      delete forward['content-length'];
      fetch(`${target}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers: forward, body: raw.length === 0 ? undefined : raw })
        .then(async (answer) => {
          exchange.status = answer.status;
          const out: Record<string, string> = {};
          answer.headers.forEach((v, k) => {
            if (k !== 'content-length' && k !== 'content-encoding' && k !== 'transfer-encoding') out[k] = v;
          });
          res.writeHead(answer.status, out);
          if (answer.body !== null) for await (const chunk of answer.body) res.write(chunk);
          res.end();
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, exchanges, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'x-goog-api-key', 'cookie']);

/**
 * Writes what a client sent, scrubbed: credentials, the temp folders (as /home/user/project) and
 * per-install ids (Claude Code's metadata.user_id) replaced, so the fixture holds nothing secret
 * or machine-specific.
 */
function saveFixture(dir: string, name: string, exchanges: Exchange[], tempDir: string): void {
  mkdirSync(dir, { recursive: true });
  const scrubbed = exchanges.map((e) => {
    const body = e.body;
    if (typeof body === 'object' && body !== null && 'metadata' in body) {
      const metadata = (body as { metadata?: unknown }).metadata;
      if (typeof metadata === 'object' && metadata !== null && 'user_id' in metadata) (metadata as Record<string, unknown>)['user_id'] = '<redacted>';
    }
    return {
      ...e,
      headers: Object.fromEntries(Object.entries(e.headers).map(([k, v]) => [k, SECRET_HEADERS.has(k) ? '<redacted>' : k === 'host' ? '127.0.0.1:8080' : v])),
    };
  });
  const agent = scrubbed[0]?.headers['user-agent'] ?? 'unknown client';
  const provenance = `Recorded ${new Date().toISOString().slice(0, 10)} from ${agent} by the client suite (LLMUX_RECORD_CLIENTS=<dir> npm run test:clients): what the client sent to llmux; credentials, temp paths and metadata.user_id scrubbed.`;
  let text = JSON.stringify({ provenance, exchanges: scrubbed }, null, 1);
  text = text.replaceAll(`${tempDir}/work`, '/home/user/project').replaceAll(`${tempDir}/home`, '/home/user').replaceAll(tempDir, '/tmp/llmux');
  text = text.replace(/key=[^&"]+/g, 'key=<redacted>');
  writeFileSync(join(dir, `${name}.json`), `${text}\n`);
}

// ---- the README's recipes, as written ------------------------------------------------------------

/** The README's address and key placeholders, which tests swap for the running stack's. */
export const README_URL = 'http://127.0.0.1:8080';
export const README_KEY = 'your-llmux-key';

/** The fenced block that follows `<!-- readme-test: id -->` in README.md, so a recipe is tested as written. */
export function readmeBlock(id: string): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const marker = `<!-- readme-test: ${id} -->`;
  const at = readme.indexOf(marker);
  assert.ok(at >= 0, `README.md has no ${marker}`);
  const match = /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(at + marker.length));
  assert.ok(match?.[1] !== undefined, `no fenced block after ${marker}`);
  return match[1];
}

/** `export NAME=value` lines of a README shell block (comments dropped), with the stack's URL and key. */
export function readmeEnv(id: string, url: string, key: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readmeBlock(id).split('\n')) {
    const m = /^export (\w+)=(\S+)/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) env[m[1]] = m[2].replace(README_URL, url).replace(README_KEY, key);
  }
  return env;
}
