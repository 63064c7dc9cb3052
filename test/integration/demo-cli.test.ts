import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SAMPLE_REQUESTS } from '../../src/cli/demo.ts';
import { parseCli } from '../../src/cli/parse-args.ts';

describe('parseCli --demo', () => {
  test('serve takes --demo, with --host and --port', () => {
    const r = parseCli(['--demo', '--port', '0']);
    assert.ok(r.ok);
    assert.equal(r.args.command, 'serve');
    assert.equal(r.args.demo, true);
    assert.equal(r.args.port, 0);
  });
  test('one process only', () => {
    const r = parseCli(['--demo', '--workers', '2']);
    assert.ok(!r.ok);
    assert.match(r.error, /one process/);
  });
  test('other commands refuse it', () => {
    const r = parseCli(['check', '--demo']);
    assert.ok(!r.ok);
    assert.match(r.error, /--demo/);
  });
});

const demoFolders = (): string[] => readdirSync(tmpdir()).filter((d) => d.startsWith('llmux-demo-'));

describe('llmux --demo (a real process)', () => {
  test('prints the console URL and an admin key once, serves every front door, records usage, and cleans up on SIGTERM', async (t) => {
    const before = demoFolders();
    const child = spawn(process.execPath, ['src/main.ts', '--demo', '--port', '0'], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { ...process.env, LLMUX_CONFIG: '', LLMUX_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    t.after(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const until = Date.now() + 15_000;
    while (!/admin key +(\S+)/.test(output)) {
      assert.ok(Date.now() < until, `no banner:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const consoleUrl = /console +(http:\/\/\S+\/dashboard)/.exec(output)?.[1];
    const adminKey = /admin key +(\S+)/.exec(output)?.[1];
    assert.ok(consoleUrl !== undefined && adminKey !== undefined, output);
    assert.equal(output.split(adminKey).length - 1, 1, 'the admin key is printed exactly once');
    const base = consoleUrl.replace(/\/dashboard$/, '');

    const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
      const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
      return (await res.json()) as Record<string, unknown>;
    };
    const openai = await post('/v1/chat/completions', { model: 'demo', messages: [{ role: 'user', content: 'hi' }] });
    assert.match(JSON.stringify(openai), /llmux demo provider/);
    const anthropic = await post('/v1/messages', { model: 'claude-demo', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(anthropic['type'], 'message');
    const gemini = await post('/v1beta/models/gemini-demo:generateContent', { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
    assert.ok(Array.isArray(gemini['candidates']));
    const tools = await post('/v1/chat/completions', { model: 'demo-tools', messages: [{ role: 'user', content: 'call' }] });
    assert.match(JSON.stringify(tools), /"finish_reason":"tool_calls"/);

    const page = await fetch(consoleUrl);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /llmux console/);

    // The ledger is on: the four requests show up in the admin API.
    let requests = 0;
    while (Date.now() < until + 10_000) {
      const res = await fetch(`${base}/admin/usage?from=1h`, { headers: { authorization: `Bearer ${adminKey}` } });
      assert.equal(res.status, 200);
      requests = ((await res.json()) as { totals: { requests: number } }).totals.requests;
      if (requests >= 4 + SAMPLE_REQUESTS.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The four above, and the samples the demo sends itself at start (one fails on purpose).
    assert.equal(requests, 4 + SAMPLE_REQUESTS.length);

    const mine = demoFolders().filter((d) => !before.includes(d));
    assert.equal(mine.length, 1, 'the demo keeps its config and ledger in one temporary folder');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(existsSync(join(tmpdir(), mine[0] ?? '')), false, 'the demo folder is removed at exit');
  });
});
