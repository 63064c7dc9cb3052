import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { newRecordId, type UsageRecord } from '../../src/ledger/record.ts';
import { SqliteStore } from '../../src/ledger/sqlite-store.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';

/**
 * Every admin call the console makes, as it makes them, against a ledger of a million records
 * (SQLite, written through the store as the gateway's flushes would): each answers in under 200 ms,
 * so the console stays quick where other gateways' consoles stall at a few hundred thousand rows.
 * LLMUX_LOAD_ROWS sets another size.
 */

const ROWS = Number(process.env['LLMUX_LOAD_ROWS'] ?? 1_000_000);
const ADMIN = 'llmux-admin-load-test-0123456789';
const BUDGET_MS = 200;
const DAY = 86_400_000;
const KEYS = Array.from({ length: 40 }, (_, i) => `team-${i}`);
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'claude-haiku-4', 'gemini-2.5-pro', 'gemini-2.5-flash', 'deepseek-chat', 'qwen-max'];
const PROVIDERS: Record<string, string> = { gpt: 'openai', cla: 'anthropic', gem: 'gemini', dee: 'deepseek', qwe: 'qwen' };

/** A week of traffic, oldest first (as a ledger fills), with a few errors and a rare key. */
function synthetic(i: number, start: number, step: number): UsageRecord {
  const time = Math.floor(start + i * step);
  const model = MODELS[(i * 7) % MODELS.length] ?? 'gpt-4o';
  const status = i % 97 === 0 ? 502 : i % 41 === 0 ? 429 : 200;
  // One key in ten thousand records: a filter that matches almost nothing must not scan everything.
  const key = i % 10_000 === 5 ? 'rare-key' : (KEYS[(i * 13) % KEYS.length] ?? 'team-0');
  return {
    id: newRecordId(time),
    time,
    request_id: `req-${i}`,
    key,
    client_protocol: ['openai', 'anthropic', 'gemini', 'responses'][i % 4] ?? 'openai',
    route: '/v1/chat/completions',
    model,
    provider: PROVIDERS[model.slice(0, 3)] ?? 'openai',
    upstream_model: model,
    status,
    error_type: status === 200 ? null : status === 429 ? 'rate_limited' : 'upstream_error',
    stream: i % 3 === 0,
    attempts: 1,
    prompt_tokens: 100 + (i % 900),
    completion_tokens: 20 + (i % 300),
    cached_tokens: i % 5 === 0 ? 64 : 0,
    reasoning_tokens: 0,
    cost_usd: ((i % 100) + 1) / 100_000,
    priced: true,
    duration_ms: 200 + ((i * 37) % 4000),
    ttfb_ms: 80 + ((i * 11) % 600),
    overhead_ms: 0.3,
  };
}

describe(`admin API over ${ROWS.toLocaleString('en')} ledger records`, () => {
  let dir: string;
  let gw: TestGateway;
  let middleId = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llmux-load-'));
    const path = join(dir, 'usage.db');
    const store = new SqliteStore(path);
    await store.open();
    const now = Date.now();
    const start = now - 7 * DAY;
    const step = (7 * DAY) / ROWS;
    const t0 = performance.now();
    for (let i = 0; i < ROWS; i += 10_000) {
      const batch: UsageRecord[] = [];
      for (let j = i; j < Math.min(ROWS, i + 10_000); j++) batch.push(synthetic(j, start, step));
      if (i <= ROWS / 2 && ROWS / 2 < i + batch.length) middleId = batch[Math.floor(ROWS / 2) - i]?.id ?? '';
      await store.insert(batch);
    }
    await store.close();
    process.stdout.write(`# seeded ${ROWS} records in ${Math.round(performance.now() - t0)} ms\n`);
    gw = await startGateway({ usage: { store: 'sqlite', path }, admin: { api_keys: [ADMIN] }, health_check: { enabled: false } });
  });
  after(async () => {
    await gw?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The best of three calls after a warm-up: the budget is the server's, and on a machine shared
   * with other test files (the ledger's own million-record test among them) a single slow call
   * says more about the scheduler than about the query.
   */
  const timed = async (path: string): Promise<number> => {
    const call = async (): Promise<number> => {
      const t = performance.now();
      const res = await fetch(`${gw.url}/admin${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
      assert.equal(res.status, 200, path);
      await res.arrayBuffer();
      return performance.now() - t;
    };
    await call();
    return Math.min(await call(), await call(), await call());
  };

  const calls = (): Array<[string, string]> => [
    ['overview 1 h', '/usage?from=1h&group_by=hour'],
    ['overview 24 h', '/usage?from=24h&group_by=hour'],
    ['overview 7 d', '/usage?from=7d&group_by=hour'],
    ['top lists 24 h', '/usage?from=24h&group_by=model,key,provider'],
    ['top lists 7 d', '/usage?from=7d&group_by=model,key,provider'],
    ['filter choices (keys, 7 d)', '/usage?from=7d&group_by=key'],
    ['providers 1 h', '/usage?from=1h&group_by=provider'],
    ['minute chart (the last hour, up to 1,000 records)', `/requests?limit=1000&from=${new Date(Date.now() - 3_600_000).toISOString()}`],
    ['requests, first page', '/requests?limit=100'],
    ['requests, a page half a week back', `/requests?limit=100&before=${middleId}`],
    ['requests by model', '/requests?limit=100&model=claude-sonnet-4'],
    ['requests by provider', '/requests?limit=100&provider=gemini'],
    ['requests by key', '/requests?limit=100&key=team-7'],
    ['requests by a rare key', '/requests?limit=100&key=rare-key'],
    ['requests with errors', '/requests?limit=100&status=error'],
    ['requests with 502', '/requests?limit=100&status=502'],
    ['keys', '/keys'],
    ['providers', '/providers'],
    ['config', '/config'],
  ];

  test('every call the console makes answers in under 200 ms', async (t) => {
    const slow: string[] = [];
    for (const [name, path] of calls()) {
      const ms = await timed(path);
      t.diagnostic(`${name.padEnd(36)} ${ms.toFixed(1).padStart(7)} ms   ${path}`);
      if (ms >= BUDGET_MS) slow.push(`${name}: ${ms.toFixed(0)} ms`);
    }
    assert.deepEqual(slow, []);
  });

  test('the totals add up to every record seeded', async () => {
    const res = await fetch(`${gw.url}/admin/usage?from=8d`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const body = (await res.json()) as { totals: { requests: number } };
    assert.equal(body.totals.requests, ROWS);
  });
});
