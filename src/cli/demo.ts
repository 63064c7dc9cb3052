import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_MODELS, startDemoUpstream } from './demo-upstream.ts';
import type { CliArgs } from './parse-args.ts';
import { runServe } from './serve.ts';

/** The config `llmux --demo` serves: the demo provider (and a flaky twin), the ledger on, one admin key. */
export function demoConfig(baseUrl: string, adminKey: string, usagePath: string): Record<string, unknown> {
  return {
    providers: [
      // "*": any model name a client sends (claude-sonnet-4, gpt-4o, ...) gets a canned answer.
      { name: 'demo', type: 'openai', base_url: baseUrl, api_key: 'demo', models: [...DEMO_MODELS.filter((m) => m !== 'demo-fail'), '*'] },
      // A provider of its own, so its failures open its circuit and not the main demo's.
      { name: 'demo-flaky', type: 'openai', base_url: baseUrl, api_key: 'demo', models: ['demo-fail'] },
    ],
    health_check: { enabled: false },
    // Made-up prices for the demo's own models, so the console's cost charts have something to draw.
    usage: { store: 'sqlite', path: usagePath, flush_interval: '500ms', prices: Object.fromEntries(DEMO_MODELS.map((m) => [m, { input: 0.5, output: 1.5 }])) },
    // A person reads this terminal, and the banner should stay on screen: readable lines, and no
    // access line per request (the console lists them; a load test runs faster without them).
    logging: { format: 'pretty', requests: false },
    admin: { api_keys: [adminKey] },
  };
}

/**
 * `llmux --demo`: starts the demo upstream in this process, writes a private config for it in a
 * temporary folder (removed at exit, with the demo's ledger) and serves it like any config, so
 * --host, --port and reloads behave as usual. The admin key is made here and printed once.
 */
export async function runDemo(args: CliArgs, env: NodeJS.ProcessEnv, cwd: string, out: NodeJS.WritableStream = process.stdout): Promise<number | undefined> {
  if (args.config !== undefined) {
    process.stderr.write('llmux: --demo serves its own config; drop --config (or run without --demo)\n');
    return 2;
  }
  const upstream = await startDemoUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'llmux-demo-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const adminKey = `llmux-admin-${randomBytes(24).toString('base64url')}`;
  const file = join(dir, 'llmux.json');
  writeFileSync(file, JSON.stringify(demoConfig(upstream.baseUrl, adminKey, join(dir, 'usage.db')), null, 2), { mode: 0o600 });
  const code = await runServe({ ...args, config: file }, env, cwd, (url) => {
    const base = url.replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://[::1]:');
    void sendSamples(base);
    out.write(
      [
        '',
        'llmux demo: a built-in provider answers every model with canned text, streams and tool calls',
        '(no provider key, nothing leaves this machine).',
        '',
        `  console    ${base}/dashboard`,
        `  admin key  ${adminKey}`,
        '             (shown this once: the console asks for it)',
        '',
        '  try it     curl -s ' + base + "/v1/chat/completions -H 'content-type: application/json' \\",
        `               -d '{"model":"demo","messages":[{"role":"user","content":"Hello"}]}'`,
        `  models     ${DEMO_MODELS.join(', ')}, or any other name`,
        '  (a few sample requests, one per front door, are on their way so the console has something to show;',
        '  requests are listed there, not logged here)',
        '',
        '',
      ].join('\n'),
    );
  });
  if (code !== undefined) await upstream.close();
  return code;
}

/** One request per front door and behaviour, sent once at start: the console opens on something. */
export const SAMPLE_REQUESTS: ReadonlyArray<{ path: string; body: unknown }> = [
  { path: '/v1/chat/completions', body: { model: 'demo', messages: [{ role: 'user', content: 'What is llmux?' }] } },
  { path: '/v1/chat/completions', body: { model: 'demo', stream: true, messages: [{ role: 'user', content: 'Stream a short answer' }] } },
  { path: '/v1/chat/completions', body: { model: 'demo-tools', messages: [{ role: 'user', content: 'Weather in Paris?' }] } },
  { path: '/v1/messages', body: { model: 'claude-demo', max_tokens: 200, messages: [{ role: 'user', content: 'Hello from an Anthropic client' }] } },
  { path: '/v1beta/models/gemini-demo:generateContent', body: { contents: [{ role: 'user', parts: [{ text: 'Hello from a Gemini client' }] }] } },
  { path: '/v1/embeddings', body: { model: 'demo', input: ['embed me'] } },
  { path: '/v1/chat/completions', body: { model: 'demo-fail', messages: [{ role: 'user', content: 'This one fails on purpose' }] } },
];

async function sendSamples(base: string): Promise<void> {
  for (const { path, body } of SAMPLE_REQUESTS) {
    try {
      const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      await res.arrayBuffer();
    } catch {
      // The server is stopping, or the samples are just not needed: nothing to report.
    }
  }
}
