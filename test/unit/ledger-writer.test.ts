import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { configSchema } from '../../src/config/schema.ts';
import { Ledger } from '../../src/ledger/ledger.ts';
import { newRecordId, type UsageRecord } from '../../src/ledger/record.ts';
import { SqliteStore } from '../../src/ledger/sqlite-store.ts';
import { ThreadedSqliteStore } from '../../src/ledger/threaded-store.ts';
import { LedgerWriter } from '../../src/ledger/writer.ts';
import { createLogger } from '../../src/observability/logger.ts';
import type { RequestOutcome } from '../../src/observability/outcome.ts';

function logSink(): { logger: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'info', format: 'json', destination }), lines };
}

let n = 0;
function rec(key: string | null = 'team', cost = 0.01): UsageRecord {
  n++;
  return { id: newRecordId(), time: Date.now(), request_id: `r${n}`, key, client_protocol: 'openai', route: '/v1/chat/completions', model: 'm', provider: 'p', upstream_model: 'm', status: 200, error_type: null, stream: false, attempts: 1, prompt_tokens: 10, completion_tokens: 5, cached_tokens: 0, reasoning_tokens: 0, cost_usd: cost, priced: true, duration_ms: 12.5, ttfb_ms: 10, overhead_ms: 0.2 };
}

const outcome: RequestOutcome = {
  reqId: 'req-1',
  time: Date.now(),
  method: 'POST',
  path: '/v1/chat/completions',
  route: '/v1/chat/completions',
  key: 'team-a',
  clientProtocol: 'openai',
  op: 'chat',
  model: 'gpt-4o-mini',
  provider: 'openai',
  upstreamModel: 'gpt-4o-mini',
  status: 200,
  errorCode: undefined,
  errorMessage: undefined,
  stream: false,
  attempts: 1,
  usage: { promptTokens: 120, completionTokens: 40, cachedTokens: 20 },
  durationMs: 231.2,
  ttfbMs: 200.1,
  firstChunkMs: undefined,
  upstreamMs: 199.5,
  overheadMs: 0.6,
  tokenWindow: undefined,
};

describe('ledger writer', () => {
  test('a path that cannot be written leaves records queued; they are written once it can be', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmux-writer-'));
    // A file where the ledger's folder should be: not writable, as a read-only or missing volume is not.
    const blocked = join(dir, 'volume');
    writeFileSync(blocked, 'not a folder');
    const store = new SqliteStore(join(blocked, 'usage.db'));
    const { logger, lines } = logSink();
    let dropped = 0;
    const writer = new LedgerWriter({ store, logger, flushIntervalMs: 60_000, onDrop: (k) => (dropped += k), queueLimit: 1000 });
    for (let i = 0; i < 1500; i++) writer.push(rec());
    assert.equal(writer.queued, 1000, 'bounded: the oldest beyond the limit are dropped');
    assert.equal(dropped, 500);
    assert.equal(writer.dropped, 500);
    await writer.flush();
    await writer.flush();
    assert.equal(writer.queued, 1000);
    const warnings = lines.filter((l) => String(l['msg']).includes('cannot write'));
    assert.equal(warnings.length, 1, 'one warning a minute, not one per flush');
    assert.ok(Math.abs(writer.spendAfter('team', 0) - 10) < 1e-9, 'spend of queued records still counts for budgets');
    // The volume comes back.
    rmSync(blocked);
    mkdirSync(blocked);
    await writer.flush();
    assert.equal(writer.queued, 0);
    assert.equal((await store.requests({ limit: 2000 })).length, 1000);
    assert.ok(lines.some((l) => String(l['msg']).includes('writable again')));
    await writer.close();
    await store.close();
  });

  test('a thousand queued records are written without waiting for the timer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmux-writer-'));
    const store = new SqliteStore(join(dir, 'usage.db'));
    const writer = new LedgerWriter({ store, logger: logSink().logger, flushIntervalMs: 600_000, onDrop: () => undefined });
    for (let i = 0; i < 999; i++) writer.push(rec());
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(writer.queued, 999);
    writer.push(rec());
    for (let i = 0; i < 50 && writer.queued > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(writer.queued, 0);
    assert.equal((await store.requests({ limit: 2000 })).length, 1000);
    await writer.close();
    await store.close();
  });

  test('close() writes what is queued (drain)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmux-writer-'));
    const store = new SqliteStore(join(dir, 'usage.db'));
    const writer = new LedgerWriter({ store, logger: logSink().logger, flushIntervalMs: 60_000, onDrop: () => undefined });
    for (let i = 0; i < 10; i++) writer.push(rec());
    await writer.close();
    await store.open();
    assert.equal((await store.requests({ limit: 100 })).length, 10);
    await store.close();
  });

  test('the stores take flushes of every size; the thread starts only for large ones; the sink queues every request', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'llmux-writer-'));
    const store = new SqliteStore(join(dir, 'usage.db'));
    await store.open();
    const results: string[] = [];
    for (const size of [100, 1000, 5000]) {
      const batches = Array.from({ length: 10 }, () => Array.from({ length: size }, () => rec(`k${n % 20}`)));
      const t0 = performance.now();
      for (const b of batches) await store.insert(b);
      const ms = (performance.now() - t0) / batches.length;
      results.push(`${size} rows/flush: ${ms.toFixed(2)} ms (${Math.round((size / ms) * 1000).toLocaleString('en')} rows/s)`);
    }
    await store.close();

    // On its thread, a flush costs the event loop only the copy of the records to the worker.
    const threaded = new ThreadedSqliteStore(join(dir, 'threaded.db'));
    await threaded.open();
    // Light traffic's small flushes are written on the main thread: no thread is started for them.
    for (let i = 0; i < 3; i++) await threaded.insert([rec('trickle'), rec('trickle')]);
    assert.equal(threaded.threadRunning, false);
    let blocked = 0;
    for (let i = 0; i < 10; i++) {
      const b = Array.from({ length: 1000 }, () => rec(`k${n % 20}`));
      const t0 = performance.now();
      const done = threaded.insert(b);
      blocked += performance.now() - t0;
      await done;
    }
    results.push(`threaded: ${(blocked / 10).toFixed(2)} ms of event loop per 1000-row flush`);
    assert.equal(threaded.threadRunning, true);
    assert.equal((await threaded.requests({ limit: 20_000 })).length, 10_006);
    await threaded.close();

    const config = configSchema.parse({ usage: { path: join(dir, 'sink.db') } });
    const ledger = await Ledger.create(config, logSink().logger, () => undefined);
    assert.ok(ledger !== undefined);
    const sinkCalls = 20_000;
    const t1 = performance.now();
    for (let i = 0; i < sinkCalls; i++) ledger.sink(outcome);
    const us = ((performance.now() - t1) / sinkCalls) * 1000;
    results.push(`sink: ${us.toFixed(2)} us per request (record, price, queue)`);
    await ledger.close();
    const written = new SqliteStore(join(dir, 'sink.db'));
    assert.equal((await written.requests({ limit: 30_000 })).length, sinkCalls);
    await written.close();
    t.diagnostic(results.join('; '));
  });
});
