import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { newRecordId, type UsageRecord } from '../../src/ledger/record.ts';
import { SqliteStore } from '../../src/ledger/sqlite-store.ts';
import { spawnGateway, startGateway } from '../helpers/gateway.ts';
import { startMockOpenAI } from '../helpers/mock-openai.ts';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;

async function llmux(dir: string, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, [join(ROOT, 'src/main.ts'), ...args], { cwd: dir, env: { ...process.env, INIT_CWD: dir } });
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, out: e.stdout };
  }
}

function rec(key: string, model: string, cost: number, minutesAgo: number): UsageRecord {
  return { id: newRecordId(), time: Date.now() - minutesAgo * 60_000, request_id: `cli-${Math.random()}`, key, client_protocol: 'openai', route: '/v1/chat/completions', model, provider: 'p', upstream_model: model, status: 200, error_type: null, stream: false, attempts: 1, prompt_tokens: 1000, completion_tokens: 100, cached_tokens: 0, reasoning_tokens: 0, cost_usd: cost, priced: true, duration_ms: 100, ttfb_ms: 90, overhead_ms: 0.2 };
}

describe('llmux usage and llmux keys, without a running server', () => {
  test('usage prints the ledger\'s sums by key, model or provider over --since', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmux-cli-'));
    writeFileSync(join(dir, 'llmux.yaml'), 'providers: []\n');
    const store = new SqliteStore(join(dir, 'llmux-usage.db'));
    await store.open();
    await store.insert([rec('team-a', 'gpt-4o', 1.5, 10), rec('team-a', 'gpt-4o', 0.5, 20), rec('team-b', 'claude', 2, 30), rec('team-b', 'claude', 100, 60 * 30)]);
    await store.close();

    const byKey = await llmux(dir, 'usage', '--by', 'key');
    assert.equal(byKey.code, 0, byKey.out);
    const line = (name: string): string[] => (byKey.out.split('\n').find((l) => l.startsWith(`${name} `)) ?? '').trim().split(/\s+/);
    assert.deepEqual(line('team-a').slice(0, 7), ['team-a', '2', '0', '2,000', '200', '0', '$2.0000']);
    assert.deepEqual(line('team-b').slice(0, 7), ['team-b', '1', '0', '1,000', '100', '0', '$2.0000'], 'the record 30 hours old is outside the default 24h');
    assert.deepEqual(line('total').slice(0, 2), ['total', '3']);
    const week = await llmux(dir, 'usage', '--since', '7d', '--by', 'model');
    assert.match(week.out, /^claude\s+2\s/m);
    assert.match(week.out, /^total\s+4\s.*\$104\.00\s/m);
    assert.equal((await llmux(dir, 'usage', '--by', 'colour')).code, 2);
  });

  test('keys create prints the key once; a gateway on the same ledger accepts it; keys revoke stops it', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'llmux-cli-'));
    const path = join(dir, 'llmux-usage.db');
    writeFileSync(join(dir, 'llmux.yaml'), 'auth:\n  api_keys:\n    - { key: sk-config-key-0001, name: ops }\nproviders: []\n');
    const created = await llmux(dir, 'keys', 'create', 'nightly', '--models', 'gpt-*', '--budget', '20/week', '--rpm', '30');
    assert.equal(created.code, 0, created.out);
    const secret = /(sk-llmux-\S+)/.exec(created.out)?.[1];
    const id = /created (vk_\w+)/.exec(created.out)?.[1];
    assert.ok(secret !== undefined && id !== undefined, created.out);
    const list = await llmux(dir, 'keys', 'list');
    assert.match(list.out, new RegExp(`^${id}\\s+nightly\\s+virtual\\s+\\.\\.\\.${secret.slice(-4)}\\s+gpt-\\*\\s+30\\s+-\\s+\\$20/week`, 'm'));
    assert.match(list.out, /^ops\s+ops\s+config\s+\.\.\.0001/m);
    assert.ok(!list.out.includes(secret), 'listed without the secret');

    const mock = await startMockOpenAI({ name: 'm', models: ['gpt-4o'] });
    const gw = await startGateway({ auth: { api_keys: [{ key: 'sk-config-key-0001', name: 'ops' }] }, providers: [{ name: 'm', base_url: `${mock.url}/v1`, api_key: 'x', models: ['gpt-4o'] }], usage: { path }, health_check: { enabled: false } });
    t.after(async () => {
      await gw.close();
      await mock.close();
    });
    const call = (): Promise<number> =>
      fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: '{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}' }).then(async (r) => (await r.text(), r.status));
    assert.equal(await call(), 200);
    const revoked = await llmux(dir, 'keys', 'revoke', id);
    assert.equal(revoked.code, 0, revoked.out);
    const start = Date.now();
    while ((await call()) !== 401) {
      assert.ok(Date.now() - start < 5000, 'refused within 5 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await llmux(dir, 'keys', 'revoke', 'ops')).code, 1, 'a config key cannot be revoked here');
  });

  test('a gateway that drains (SIGTERM) writes the records still queued before it exits', async (t) => {
    const mock = await startMockOpenAI({ name: 'd', models: ['gpt-4o'] });
    t.after(() => mock.close());
    // No timed flush within the test: only the drain can write the record.
    const gw = await spawnGateway({ providers: [{ name: 'd', base_url: `${mock.url}/v1`, api_key: 'x', models: ['gpt-4o'] }], usage: { flush_interval: '10m' }, health_check: { enabled: false } });
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'drained-1' }, body: '{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}' });
    assert.equal(res.status, 200);
    await res.text();
    gw.child.kill('SIGTERM');
    assert.equal(await gw.exited, 0, gw.output());
    const store = new SqliteStore(join(gw.configDir, 'llmux-usage.db'));
    await store.open();
    const recs = await store.requests({ limit: 10 });
    await store.close();
    assert.deepEqual(recs.map((r) => [r.request_id, r.prompt_tokens, r.completion_tokens]), [['drained-1', 11, 7]]);
  });

  test('an open /admin/events stream does not hold up the drain', async () => {
    const gw = await spawnGateway({ providers: [], admin: { api_keys: ['sk-admin-drain-0001'] }, usage: { store: 'off' } });
    const events = await fetch(`${gw.url}/admin/events`, { headers: { authorization: 'Bearer sk-admin-drain-0001' } });
    assert.equal(events.status, 200);
    const reader = events.body!.getReader();
    await reader.read();
    const start = Date.now();
    gw.child.kill('SIGTERM');
    assert.equal(await gw.exited, 0, gw.output());
    assert.ok(Date.now() - start < 5000, `exited after ${Date.now() - start} ms`);
    // The stream was ended, not cut.
    for (;;) if ((await reader.read()).done) break;
  });
});
