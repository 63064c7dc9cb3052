import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { newRecordId, type UsageRecord } from '../../src/ledger/record.ts';
import { SqliteStore } from '../../src/ledger/sqlite-store.ts';
import { PostgresStore } from '../../src/ledger/postgres-store.ts';
import { schemaV1 } from '../../src/ledger/sql.ts';
import { percentile, periodStarts, type AggregateRow, type LedgerStore } from '../../src/ledger/store.ts';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../helpers/postgres.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 30, 10, 0, 0); // a Monday, 10:00 UTC

let seq = 0;
function rec(over: Partial<UsageRecord> = {}): UsageRecord {
  seq++;
  return {
    id: newRecordId(),
    time: T0,
    request_id: `req-${seq}`,
    key: 'team-a',
    client_protocol: 'openai',
    route: '/v1/chat/completions',
    model: 'gpt-4o',
    provider: 'openai',
    upstream_model: 'gpt-4o-2024-08-06',
    status: 200,
    error_type: null,
    stream: false,
    attempts: 1,
    prompt_tokens: 10,
    completion_tokens: 5,
    cached_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: 0.001,
    priced: true,
    duration_ms: 120,
    ttfb_ms: 100,
    overhead_ms: 0.3,
    ...over,
  };
}

/** Brute-force sums, the reference the rollup-plus-edges aggregation must equal. */
function reference(records: UsageRecord[], from: number, to: number, by: (r: UsageRecord) => string): Map<string, { requests: number; errors: number; prompt: number; cost: number }> {
  const out = new Map<string, { requests: number; errors: number; prompt: number; cost: number }>();
  for (const r of records) {
    if (r.time < from || r.time >= to) continue;
    const k = by(r);
    const e = out.get(k) ?? { requests: 0, errors: 0, prompt: 0, cost: 0 };
    e.requests++;
    if (r.status >= 400) e.errors++;
    e.prompt += r.prompt_tokens;
    e.cost += r.cost_usd;
    out.set(k, e);
  }
  return out;
}

function byGroup(rows: AggregateRow[], field: string): Map<string, AggregateRow['sums']> {
  return new Map(rows.map((r) => [String(r.group[field]), r.sums]));
}

function suite(name: string, make: () => Promise<LedgerStore>, skip: string | undefined): void {
  describe(`ledger store: ${name}`, { skip }, () => {
    let store: LedgerStore;
    const all: UsageRecord[] = [];
    before(async () => {
      store = await make();
      await store.open();
      // Three hours and a bit, three keys, two models; some errors; records in two flushes.
      const batch: UsageRecord[] = [];
      for (let i = 0; i < 300; i++) {
        batch.push(
          rec({
            time: T0 + i * 41_000,
            key: i % 10 === 0 ? null : ['team-a', 'team-b', 'vk_1'][i % 3] ?? null,
            model: i % 2 === 0 ? 'gpt-4o' : 'claude-sonnet-4',
            provider: i % 2 === 0 ? 'openai' : 'anthropic',
            status: i % 7 === 0 ? 429 : 200,
            prompt_tokens: i,
            cost_usd: i / 1000,
            duration_ms: (i % 50) * 10,
            stream: i % 4 === 0,
          }),
        );
      }
      await store.insert(batch.slice(0, 170));
      await store.insert(batch.slice(170));
      all.push(...batch);
    });
    after(async () => store.close());

    test('records come back whole, newest first, page by page', async () => {
      const page1 = await store.requests({ limit: 100 });
      assert.equal(page1.length, 100);
      assert.deepEqual(page1[0], all[all.length - 1]);
      const ids = page1.map((r) => r.id);
      assert.deepEqual(ids, [...ids].sort().reverse());
      const page2 = await store.requests({ limit: 1000, before: page1[99]?.id });
      assert.equal(page2.length, 200);
      assert.deepEqual(page2[199], all[0]);
      assert.equal(new Set([...ids, ...page2.map((r) => r.id)]).size, 300);
    });

    test('filters by key, model, provider and status', async () => {
      const b = await store.requests({ limit: 1000, key: 'team-b', model: 'gpt-4o' });
      assert.deepEqual(b.map((r) => r.request_id).sort(), all.filter((r) => r.key === 'team-b' && r.model === 'gpt-4o').map((r) => r.request_id).sort());
      const limited = await store.requests({ limit: 1000, status: '429', provider: 'anthropic' });
      assert.equal(limited.length, all.filter((r) => r.status === 429 && r.provider === 'anthropic').length);
      assert.ok(limited.length > 0);
      assert.equal((await store.requests({ limit: 1000, status: '4xx' })).length, all.filter((r) => r.status >= 400).length);
      assert.equal((await store.requests({ limit: 1000, status: 'error' })).length, all.filter((r) => r.status >= 400).length);
      const mid = all[150]?.id;
      assert.deepEqual((await store.requests({ limit: 1000, since: mid })).map((r) => r.id).reverse(), all.slice(150).map((r) => r.id));
    });

    test('aggregates over ranges that cut hours equal the sums of the raw records', async () => {
      for (const [from, to] of [
        [T0 + 17 * 60_000, T0 + 3 * HOUR + 5 * 60_000],
        [T0, T0 + 4 * HOUR],
        [T0 + 5 * 60_000, T0 + 20 * 60_000],
        [T0 - HOUR, T0 + 10 * HOUR],
      ] as const) {
        const rows = await store.aggregate({ from, to, groupBy: ['key'] });
        const want = reference(all, from, to, (r) => String(r.key));
        const got = byGroup(rows, 'key');
        assert.equal(got.size, want.size, `groups for ${from}-${to}`);
        for (const [k, w] of want) {
          const g = got.get(k);
          assert.ok(g !== undefined, k);
          assert.equal(g.requests, w.requests, `${k} requests`);
          assert.equal(g.errors, w.errors, `${k} errors`);
          assert.equal(g.prompt_tokens, w.prompt, `${k} prompt`);
          assert.ok(Math.abs(g.cost_usd - w.cost) < 1e-9, `${k} cost`);
          assert.equal(g.hist.reduce((a, b) => a + b, 0), w.requests);
        }
      }
    });

    test('groups by several fields, by hour and day, and filters', async () => {
      const rows = await store.aggregate({ from: T0, to: T0 + 4 * HOUR, groupBy: ['model', 'hour'], provider: 'openai' });
      assert.ok(rows.every((r) => r.group['model'] === 'gpt-4o'));
      assert.deepEqual(rows.map((r) => r.group['hour']).sort(), [0, 1, 2, 3].map((h) => new Date(T0 + h * HOUR).toISOString()));
      const days = await store.aggregate({ from: T0 - 86_400_000, to: T0 + 86_400_000, groupBy: ['day'] });
      assert.equal(days.length, 1);
      assert.equal(days[0]?.group['day'], '2026-11-30T00:00:00.000Z');
      assert.equal(days[0]?.sums.requests, 300);
      const total = await store.aggregate({ from: T0, to: T0 + 4 * HOUR, groupBy: [] });
      assert.equal(total[0]?.sums.requests, 300);
      // Durations are 0..490 ms evenly: the median lands near 245 ms.
      const p50 = percentile(total[0]?.sums.hist ?? [], 0.5);
      assert.ok(p50 > 150 && p50 < 400, String(p50));
    });

    test('spend per key and period comes from the per-day table', async () => {
      const spend = await store.spend(['team-a', 'vk_1', 'nobody'], periodStarts(T0 + HOUR));
      const want = all.filter((r) => r.key === 'team-a').reduce((s, r) => s + r.cost_usd, 0);
      const a = spend.get('team-a');
      assert.ok(a !== undefined);
      for (const p of ['day', 'week', 'month', 'total'] as const) assert.ok(Math.abs(a[p] - want) < 1e-9, p);
      assert.equal(spend.has('nobody'), false);
      // The next day (1 December), the day's and the month's spend start again; the week's does not.
      const tomorrow = await store.spend(['team-a'], periodStarts(T0 + 24 * HOUR));
      assert.equal(tomorrow.get('team-a')?.day, 0);
      assert.equal(tomorrow.get('team-a')?.month, 0);
      assert.ok(Math.abs((tomorrow.get('team-a')?.week ?? 0) - want) < 1e-9);
    });

    test('virtual keys: create, list, change, revoke', async () => {
      const row = { id: 'vk_test1', name: 'ci', digest: 'd1', last4: 'abcd', models: ['gpt-*'], rpm: 10, tpm: null, budget: { usd: 5, period: 'day' as const }, expires_at: null, created_at: Date.now() };
      await store.createVirtualKey(row);
      assert.deepEqual(await store.listVirtualKeys(), [row]);
      const changed = await store.updateVirtualKey('vk_test1', { rpm: null, budget: { usd: 7, period: 'month' }, models: null });
      assert.deepEqual(changed, { ...row, rpm: null, budget: { usd: 7, period: 'month' }, models: null });
      assert.equal(await store.updateVirtualKey('vk_nope', { rpm: 1 }), undefined);
      assert.equal(await store.revokeVirtualKey('vk_test1'), true);
      assert.equal(await store.revokeVirtualKey('vk_test1'), false);
      assert.deepEqual(await store.listVirtualKeys(), []);
    });

    test('retention deletes old records in batches and keeps the rest', async () => {
      const cut = T0 + HOUR;
      const old = all.filter((r) => r.time < cut).length;
      assert.equal(await store.deleteOlderThan(cut, 10), 10);
      assert.equal(await store.deleteOlderThan(cut, 100_000), old - 10);
      assert.equal((await store.requests({ limit: 1000 })).length, 300 - old);
      // The hourly rollups keep the history the raw records no longer have.
      const total = await store.aggregate({ from: T0, to: T0 + HOUR, groupBy: [] });
      assert.equal(total[0]?.sums.requests, old);
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'llmux-ledger-'));
suite('sqlite', async () => new SqliteStore(join(dir, 'ledger.db')), undefined);

const pgSkip = postgresUnavailable();
let server: PostgresServer | undefined;
let dbCount = 0;
async function pgStore(): Promise<PostgresStore> {
  server ??= await startPostgres();
  return new PostgresStore(await server.createDatabase(`ledger_${++dbCount}`));
}
after(async () => server?.destroy());
suite('postgres', pgStore, pgSkip === undefined ? undefined : `skipped: ${pgSkip}`);

describe('migration from schema version 1', () => {
  /** Records as version 1 stored them (no reasoning tokens, priced flag or overhead). */
  const v1Rows = Array.from({ length: 250 }, (_, i) => rec({ time: T0 + i * 60_000, key: i % 2 === 0 ? 'team-a' : 'team-b', prompt_tokens: i, cost_usd: 0.01 }));
  const v1Columns = ['id', 'time', 'request_id', 'key', 'client_protocol', 'route', 'model', 'provider', 'upstream_model', 'status', 'error_type', 'stream', 'attempts', 'prompt_tokens', 'completion_tokens', 'cached_tokens', 'cost_usd', 'duration_ms', 'ttfb_ms'] as const;
  const values = (r: UsageRecord): Array<string | number | null> => v1Columns.map((c) => (typeof r[c] === 'boolean' ? (r[c] ? 1 : 0) : (r[c] as string | number | null)));

  async function check(store: LedgerStore): Promise<void> {
    await store.open();
    const got = await store.requests({ limit: 1000 });
    assert.equal(got.length, 250);
    assert.deepEqual(new Set(got.map((r) => r.request_id)), new Set(v1Rows.map((r) => r.request_id)));
    assert.ok(got.every((r) => r.reasoning_tokens === 0 && r.priced && r.overhead_ms === null));
    const sums = await store.aggregate({ from: T0, to: T0 + 5 * HOUR, groupBy: ['key'] });
    assert.equal(byGroup(sums, 'key').get('team-a')?.requests, 125);
    const spend = await store.spend(['team-b'], periodStarts(T0));
    assert.ok(Math.abs((spend.get('team-b')?.day ?? 0) - 1.25) < 1e-9);
    // Opening again is a no-op: no second migration.
    await store.close();
    await store.open();
    assert.equal((await store.requests({ limit: 1000 })).length, 250);
    await store.close();
  }

  test('sqlite keeps every record and builds the rollups from them', async () => {
    const path = join(dir, 'v1.db');
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    for (const s of schemaV1(' WITHOUT ROWID')) db.exec(s);
    db.exec('INSERT INTO schema_version VALUES (1)');
    const ins = db.prepare(`INSERT INTO usage_records (${v1Columns.join(',')}) VALUES (${v1Columns.map(() => '?').join(',')})`);
    db.exec('BEGIN');
    for (const r of v1Rows) ins.run(...values(r));
    db.exec('COMMIT');
    db.close();
    await check(new SqliteStore(path));
  });

  test('postgres keeps every record and builds the rollups from them', { skip: pgSkip }, async () => {
    server ??= await startPostgres();
    const url = await server.createDatabase('migrate_v1');
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    for (const s of schemaV1('')) await client.query(s);
    await client.query('INSERT INTO schema_version VALUES (1)');
    for (const r of v1Rows) await client.query(`INSERT INTO usage_records (${v1Columns.join(',')}) VALUES (${v1Columns.map((_, i) => `$${i + 1}`).join(',')})`, values(r));
    await client.end();
    await check(new PostgresStore(url));
  });
});
