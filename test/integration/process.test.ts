import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { spawnGateway } from '../helpers/gateway.ts';
import { startMockOpenAI, type MockUpstream } from '../helpers/mock-openai.ts';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['src/main.ts', ...args], { cwd: root, env: { PATH: process.env['PATH'] ?? '', ...env } });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

function file(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmux-cli-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('llmux as a process', () => {
  let mock: MockUpstream;
  before(async () => {
    mock = await startMockOpenAI({ name: 'mock', models: ['gpt-4o', 'gpt-4o-mini'] });
  });
  after(() => mock.close());

  test('llmux check prints the resolved routing table without secrets', async () => {
    const path = file(
      'llmux.yaml',
      `providers:\n  - name: main\n    base_url: ${mock.url}/v1\n    api_key: sk-very-secret-provider-key\n    weight: 3\n  - name: fixed\n    base_url: ${mock.url}/v1\n    models: [gpt-4o, "llama*"]\nrouting:\n  aliases:\n    best: [main/gpt-4o, { target: fixed/gpt-4o, weight: 5 }]\n`,
    );
    const { code, out } = await cli(['check', '--config', path]);
    assert.equal(code, 0, out);
    assert.match(out, /gpt-4o\s+-> main\/gpt-4o \(3\), fixed\/gpt-4o \(1\)/);
    assert.match(out, /gpt-4o-mini\s+-> main\/gpt-4o-mini \(3\)/);
    assert.match(out, /best\s+-> main\/gpt-4o \(3\), fixed\/gpt-4o \(5\)\s+\[alias\]/);
    assert.match(out, /llama\*\s+-> fixed\/<same name> \(1\)\s+\[pattern\]/);
    assert.doesNotMatch(out, /sk-very-secret-provider-key/);
  });

  test('llmux check lists every error and exits 1', async () => {
    const path = file('bad.yaml', 'server: { prot: 1 }\nproviders:\n  - { name: a, base_url: "not a url", weight: 0 }\n');
    const { code, out } = await cli(['check', '--config', path]);
    assert.equal(code, 1);
    assert.match(out, /3 errors/);
    assert.match(out, /server\.prot: unknown key \(did you mean "port"\?\)/);
    assert.match(out, /providers\[0\]\.base_url: must be an http\(s\) URL/);
    assert.match(out, /providers\[0\]\.weight:/);
  });

  test('llmux models prints the public list, here from zero-config environment variables', async () => {
    const { code, out } = await cli(['models'], { OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: `${mock.url}/v1`, INIT_CWD: mkdtempSync(join(tmpdir(), 'llmux-empty-')) });
    assert.equal(code, 0, out);
    assert.deepEqual(out.trim().split('\n'), ['gpt-4o\topenai', 'gpt-4o-mini\topenai']);
  });

  test('SIGTERM lets an in-flight stream finish, then exits 0', async () => {
    const proc = await spawnGateway({ providers: [{ name: 'm', base_url: `${mock.url}/v1`, models: ['slow-stream'] }] });
    const client = new OpenAI({ apiKey: 'x', baseURL: `${proc.url}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'slow-stream', stream: true, messages: [{ role: 'user', content: 'x' }] });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(first.done, false);
    proc.child.kill('SIGTERM');
    let text = '';
    for (;;) {
      const { value, done } = await iterator.next();
      if (done === true) break;
      text += value.choices[0]?.delta.content ?? '';
    }
    assert.equal(text.trim().split(' ').length, 20, 'every chunk arrived after SIGTERM');
    assert.equal(await proc.exited, 0, proc.output());
    assert.match(proc.output(), /draining/);
  });

  test('a second SIGTERM during the drain exits at once', async () => {
    const proc = await spawnGateway({ providers: [{ name: 'm', base_url: `${mock.url}/v1`, models: ['hang'] }] });
    void fetch(`${proc.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'hang', messages: [{ role: 'user', content: 'x' }] }) }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    proc.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 1);
  });
});

describe('the llmux command with a warm compile cache', () => {
  test('starts without stripping types again: every TypeScript module comes from the cache', async () => {
    await run(process.execPath, ['bin/warm-compile-cache.js'], { cwd: root });
    const { stdout, stderr } = await run(process.execPath, ['bin/llmux.js', 'version'], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', NODE_DEBUG_NATIVE: 'COMPILE_CACHE' },
    });
    assert.equal(stdout, 'llmux 0.1.0\n');
    assert.match(stderr, /retrieving transpile cache for StrippedTypeScript \S+\/src\/main\.ts\.\.\.success/);
    assert.doesNotMatch(stderr, /no transpile cache for StrippedTypeScript/);
  });
});
