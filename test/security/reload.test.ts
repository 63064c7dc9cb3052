import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startMockOpenAI } from '../helpers/mock-openai.ts';

/**
 * Hot reload as Kubernetes does it (a ConfigMap volume: the file is a symlink through "..data",
 * which the kubelet swaps atomically), and what must never be applied: an empty file, a file
 * caught half-written without its auth section, a FIFO, a huge file.
 */

const root = new URL('../..', import.meta.url).pathname;

interface Proc {
  url: string;
  output: () => string;
  stop: () => void;
}

async function spawnWith(configPath: string, dir: string): Promise<Proc> {
  const child = spawn(process.execPath, ['src/main.ts', '--config', configPath, '--port', '0'], {
    cwd: root,
    env: { ...process.env, INIT_CWD: dir, LLMUX_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start:\n${output}`)), 15_000);
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/[\d.:]+)/.exec(output);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', () => reject(new Error(`exited:\n${output}`)));
  });
  return { url, output: () => output, stop: () => child.kill('SIGKILL') };
}

async function until(check: () => boolean | Promise<boolean>, ms = 8000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const models = async (url: string, key: string): Promise<number> => (await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status;

function configWith(upstream: string, keys: string[]): string {
  return JSON.stringify({
    ...(keys.length > 0 ? { auth: { api_keys: keys.map((key, i) => ({ key, name: `k${i}` })) } } : {}),
    health_check: { enabled: false },
    providers: [{ name: 'm', base_url: `${upstream}/v1`, models: ['gpt-4o-mini'] }],
  });
}

describe('config reload', () => {
  test('a ConfigMap update (the kubelet ..data symlink swap) reloads', async (t) => {
    const mock = await startMockOpenAI({ name: 'm', models: ['gpt-4o-mini'] });
    t.after(() => mock.close());
    const dir = mkdtempSync(join(tmpdir(), 'llmux-cm-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    // The kubelet AtomicWriter layout: llmux.json -> ..data/llmux.json, ..data -> ..<timestamp>.
    mkdirSync(join(dir, '..2025_01_01_00_00_00.1'));
    writeFileSync(join(dir, '..2025_01_01_00_00_00.1', 'llmux.json'), configWith(mock.url, ['sk-old-key-000000']));
    symlinkSync('..2025_01_01_00_00_00.1', join(dir, '..data'));
    symlinkSync('..data/llmux.json', join(dir, 'llmux.json'));
    const proc = await spawnWith(join(dir, 'llmux.json'), dir);
    t.after(() => proc.stop());
    assert.equal(await models(proc.url, 'sk-old-key-000000'), 200);

    mkdirSync(join(dir, '..2025_02_02_00_00_00.2'));
    writeFileSync(join(dir, '..2025_02_02_00_00_00.2', 'llmux.json'), configWith(mock.url, ['sk-new-key-000000']));
    symlinkSync('..2025_02_02_00_00_00.2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    rmSync(join(dir, '..2025_01_01_00_00_00.1'), { recursive: true });

    assert.ok(await until(async () => (await models(proc.url, 'sk-old-key-000000')) === 401), `the removed key still works:\n${proc.output()}`);
    assert.equal(await models(proc.url, 'sk-new-key-000000'), 200);
    assert.match(proc.output(), /config reloaded \(file changed\)/);
  });

  test('an empty file, a file without the auth section, a FIFO and a 5 MB file are refused; the old config keeps serving', async (t) => {
    const mock = await startMockOpenAI({ name: 'm', models: ['gpt-4o-mini'] });
    t.after(() => mock.close());
    const dir = mkdtempSync(join(tmpdir(), 'llmux-reload-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'llmux.json');
    writeFileSync(file, configWith(mock.url, ['sk-only-key-000000']));
    const proc = await spawnWith(file, dir);
    t.after(() => proc.stop());
    const rejections = (): number => proc.output().split('config reload rejected').length - 1;

    writeFileSync(file, '');
    assert.ok(await until(() => rejections() >= 1), proc.output());
    assert.match(proc.output(), /the file is empty/);
    assert.equal(await models(proc.url, 'nobody'), 401);

    writeFileSync(file, configWith(mock.url, []));
    assert.ok(await until(() => rejections() >= 2), proc.output());
    assert.match(proc.output(), /SECURITY: config reload rejected .* no auth\.api_keys/);
    assert.equal(await models(proc.url, 'nobody'), 401);
    assert.equal(await models(proc.url, 'sk-only-key-000000'), 200);

    rmSync(file);
    execFileSync('mkfifo', [file]);
    assert.ok(await until(() => rejections() >= 3), proc.output());
    assert.match(proc.output(), /not a regular file/);
    const started = performance.now();
    assert.equal((await fetch(`${proc.url}/health`)).status, 200);
    assert.ok(performance.now() - started < 1000, 'the process is not blocked on the FIFO');

    rmSync(file);
    writeFileSync(file, `${configWith(mock.url, ['sk-only-key-000000']).slice(0, -1)}, "x": "${'a'.repeat(5 * 1024 * 1024)}"}`);
    assert.ok(await until(() => rejections() >= 4), proc.output());
    assert.match(proc.output(), /larger than 4194304 bytes/);
    assert.equal(await models(proc.url, 'sk-only-key-000000'), 200);
  });
});
