import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { UsageRecord } from '../../src/ledger/record.ts';
import { SqliteStore } from '../../src/ledger/sqlite-store.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';

const ADMIN = 'sk-admin-scale-1234567890';
const ROWS = 1_000_000;
const SPAN_MS = 7 * 86_400_000;
const BUDGET_MS = 200;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function encode(value: number, width: number): string {
  let out = '';
  let v = value;
  for (let i = 0; i < width; i++) {
    out = CROCKFORD[v % 32] + out;
    v = Math.floor(v / 32);
  }
  return out;
}

/** A week of traffic: 50 keys, 12 models on 3 providers, 2% errors, a record every ~0.6 s. */
function seeded(i: number, now: number): UsageRecord {
  const time = now - SPAN_MS + Math.floor((i * SPAN_MS) / ROWS);
  const model = i % 12;
  return {
    id: `${encode(time, 10)}SEEDSEED${encode(i, 8)}`,
    time,
    request_id: `seed-${i}`,
    key: `key-${i % 50}`,
    client_protocol: ['openai', 'anthropic', 'gemini'][i % 3] ?? 'openai',
    route: '/v1/chat/completions',
    model: `model-${model}`,
    provider: `provider-${model % 3}`,
    upstream_model: `model-${model}`,
    status: i % 50 === 0 ? 502 : 200,
    error_type: i % 50 === 0 ? 'upstream_error' : null,
    stream: i % 2 === 0,
    attempts: 1,
    prompt_tokens: 100 + (i % 900),
    completion_tokens: 20 + (i % 300),
    cached_tokens: i % 4 === 0 ? 50 : 0,
    reasoning_tokens: 0,
    cost_usd: 0.0001 * (1 + (i % 7)),
    priced: true,
    duration_ms: 50 + (i % 2000),
    ttfb_ms: 40 + (i % 500),
    overhead_ms: 0.3,
  };
}

describe('a 1-million-record SQLite ledger', () => {
  let gw: TestGateway;
  const now = Date.now();

  before(async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'llmux-scale-')), 'usage.db');
    const store = new SqliteStore(path);
    await store.open();
    const batch = 10_000;
    for (let start = 0; start < ROWS; start += batch) await store.insert(Array.from({ length: batch }, (_, k) => seeded(start + k, now)));
    await store.close();
    gw = await startGateway({ admin: { api_keys: [ADMIN] }, providers: [], usage: { path }, health_check: { enabled: false } });
  });

  after(async () => gw?.close());

  /** The best of three: the machine is shared, and one slow run says more about it than about the ledger. */
  async function timed(path: string): Promise<{ ms: number; body: Record<string, unknown> }> {
    let best = Infinity;
    let body: Record<string, unknown> = {};
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const res = await fetch(`${gw.url}/admin${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
      body = (await res.json()) as Record<string, unknown>;
      best = Math.min(best, performance.now() - t);
      assert.equal(res.status, 200, JSON.stringify(body));
    }
    return { ms: best, body };
  }

  for (const [path, check] of [
    ['/usage', (b: Record<string, unknown>) => assert.ok(Number((b['totals'] as Record<string, number>)['requests']) > 100_000)],
    ['/usage?group_by=key,model', (b: Record<string, unknown>) => assert.equal((b['rows'] as unknown[]).length, 300)],
    ['/usage?from=7d&group_by=day,provider', (b: Record<string, unknown>) => assert.ok((b['rows'] as unknown[]).length >= 21)],
    ['/usage?from=7d&group_by=hour&model=model-3', (b: Record<string, unknown>) => assert.ok((b['rows'] as unknown[]).length >= 168)],
    ['/requests', (b: Record<string, unknown>) => assert.equal((b['data'] as unknown[]).length, 100)],
    ['/requests?limit=1000&key=key-7', (b: Record<string, unknown>) => assert.equal((b['data'] as unknown[]).length, 1000)],
    ['/requests?provider=provider-2&status=5xx', (b: Record<string, unknown>) => assert.equal((b['data'] as unknown[]).length, 100)],
    [`/requests?before=${encode(now - 3 * 86_400_000, 10)}0000000000000000&model=model-5`, (b: Record<string, unknown>) => assert.equal((b['data'] as unknown[]).length, 100)],
  ] as const) {
    test(`GET /admin${path} answers in under ${BUDGET_MS} ms`, async (t) => {
      const { ms, body } = await timed(path);
      t.diagnostic(`${ms.toFixed(1)} ms`);
      check(body);
      assert.ok(ms < BUDGET_MS, `${ms.toFixed(1)} ms`);
    });
  }
});
