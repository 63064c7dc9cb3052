import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSseParser } from '../../web/src/events.ts';
import { formatAgo, formatCount, formatDuration, formatPercent, formatRate, formatUsd } from '../../web/src/format.ts';
import { readRecord, readUsage, toMs } from '../../web/src/api.ts';

const table = <T>(name: string, fn: (v: T) => string, cases: Array<[T, string]>): void => {
  describe(name, () => {
    for (const [input, expected] of cases) test(`${String(input)} -> ${expected}`, () => assert.equal(fn(input), expected));
  });
};

table('formatCount', formatCount, [
  [0, '0'],
  [950, '950'],
  [999, '999'],
  [1000, '1k'],
  [1234, '1.2k'],
  [9949, '9.9k'],
  [34_567, '35k'],
  [999_499, '999k'],
  [999_500, '1M'],
  [1_234_567, '1.2M'],
  [2.5, '2.5'],
  [-1234, '-1.2k'],
  [Number.NaN, '–'],
  [null, '–'],
]);

table('formatDuration', formatDuration, [
  [0.4, '0.4 ms'],
  [7, '7 ms'],
  [340, '340 ms'],
  [999, '999 ms'],
  [3400, '3.4 s'],
  [12_345, '12 s'],
  [125_000, '2.1 min'],
  [7_200_000, '2 h'],
  [null, '–'],
]);

table('formatUsd', formatUsd, [
  [0, '$0'],
  [0.012345, '$0.0123'],
  [0.0000123, '$0.0000123'],
  [0.0000001, '<$0.000001'],
  [0.5, '$0.50'],
  [12.345, '$12.35'],
  [1234.5, '$1234.50'],
  [12_345, '$12k'],
  [null, '–'],
]);

table('formatPercent', formatPercent, [
  [0, '0%'],
  [0.0004, '<0.1%'],
  [0.0123, '1.2%'],
  [0.5, '50%'],
  [1, '100%'],
]);

table('formatRate', formatRate, [
  [0, '0/s'],
  [1 / 60, '1/min'],
  [0.05, '3/min'],
  [0.25, '0.25/s'],
  [12.34, '12/s'],
  [1500, '1.5k/s'],
  [14 / 86_400, '0.6/h'],
]);

describe('formatAgo', () => {
  const now = Date.UTC(2026, 11, 2, 12);
  test('past and future', () => {
    assert.equal(formatAgo(now - 3000, now), '3 s ago');
    assert.equal(formatAgo(now - 5 * 60_000, now), '5 min ago');
    assert.equal(formatAgo(now - 2 * 3_600_000, now), '2 h ago');
    assert.equal(formatAgo(now + 20 * 86_400_000, now), 'in 20 d');
  });
});

describe('toMs', () => {
  test('reads ISO 8601, epoch seconds and epoch milliseconds', () => {
    assert.equal(toMs('2026-12-02T14:00:00Z'), Date.UTC(2026, 11, 2, 14));
    assert.equal(toMs('2026-12-02T14'), Date.UTC(2026, 11, 2, 14));
    assert.equal(toMs('2026-12-02'), Date.UTC(2026, 11, 2));
    assert.equal(toMs(1_764_684_000), 1_764_684_000_000);
    assert.equal(toMs(1_764_684_000_000), 1_764_684_000_000);
    assert.equal(toMs('nonsense'), null);
  });
});

describe('readUsage', () => {
  test('reads group fields named as in group_by, and the totals', () => {
    const u = readUsage({
      from: '2026-12-01T00:00:00Z',
      to: '2026-12-02T00:00:00Z',
      group_by: ['model', 'hour'],
      rows: [{ model: 'gpt-4o', hour: '2026-12-01T05:00:00Z', requests: 3, errors: 1, prompt_tokens: 30, completion_tokens: 9, cached_tokens: 0, reasoning_tokens: 0, cost_usd: 0.25, p50_ms: 100, p95_ms: 300 }],
      totals: { requests: 3, errors: 1, prompt_tokens: 30, completion_tokens: 9, cached_tokens: 0, reasoning_tokens: 0, cost_usd: 0.25, p50_ms: 100, p95_ms: 300 },
    });
    assert.equal(u.rows[0]?.group['model'], 'gpt-4o');
    assert.equal(u.rows[0]?.bucket, Date.UTC(2026, 11, 1, 5));
    assert.equal(u.totals.requests, 3);
    assert.equal(u.totals.costUsd, 0.25);
  });
});

describe('readRecord', () => {
  test('reads a ledger record, null fields as absent', () => {
    const r = readRecord({ id: '01ABC', time: 1_764_684_000_123, request_id: 'r1', key: null, client_protocol: 'anthropic', route: '/v1/messages', model: 'claude', provider: 'a', upstream_model: 'claude-x', status: 429, error_type: 'rate_limited', stream: true, attempts: 1, prompt_tokens: 5, completion_tokens: 0, cached_tokens: 0, reasoning_tokens: 0, cost_usd: 0, duration_ms: 3.5, ttfb_ms: null, overhead_ms: 0.2 });
    assert.equal(r.key, '');
    assert.equal(r.protocol, 'anthropic');
    assert.equal(r.status, 429);
    assert.equal(r.stream, true);
    assert.equal(r.ttfbMs, null);
    assert.equal(r.time, 1_764_684_000_123);
  });
});

describe('createSseParser', () => {
  test('joins data lines, names events, and survives any split', () => {
    const text = 'event: request\ndata: {"a":1}\n\n: comment\n\nevent: provider\r\ndata: {"b":\r\ndata: 2}\r\n\r\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const got: Array<[string, string]> = [];
      const feed = createSseParser((t, d) => got.push([t, d]));
      feed(text.slice(0, cut));
      feed(text.slice(cut));
      assert.deepEqual(got, [
        ['request', '{"a":1}'],
        ['provider', '{"b":\n2}'],
      ]);
    }
  });
});
