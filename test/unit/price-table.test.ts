import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { buildPriceTable, packageData, TABLE_FILE } from '../../scripts/build-price-table.ts';
import { findPrice, type NameMatch, type PriceTable } from '../../src/ledger/price-table.ts';

interface CalcResult {
  provider: { id: string };
  model: { id: string };
  model_price: Record<string, unknown>;
}
const genaiPrices = createRequire(import.meta.url)('@pydantic/genai-prices') as {
  calcPrice(usage: { input_tokens: number; output_tokens: number }, model: string, options?: { timestamp?: Date }): CalcResult | null;
};

function literals(m: NameMatch, out: string[]): string[] {
  if ('or' in m) for (const x of m.or) literals(x, out);
  else if ('and' in m) for (const x of m.and) literals(x, out);
  else if ('regex' in m) return out;
  else out.push(Object.values(m)[0] as string);
  return out;
}

/** Every name the data spells out, as given, padded the way providers extend them, and with a compact date. */
function namesToTry(data: Awaited<ReturnType<typeof packageData>>['providers']): string[] {
  const names = new Set<string>(['my-local-model', 'gpt-4o-2024-08-06', 'gpt-4o-20240806', 'claude-sonnet-4-20250514', 'GPT-4O', ' gpt-4o ', 'gemini-2.5-pro', 'deepseek-chat', 'deepseek-reasoner', 'qwen-max']);
  for (const p of data) {
    for (const m of p.models) {
      names.add(m.id);
      for (const l of literals(m.match, [])) {
        names.add(l);
        names.add(`${l}-latest`);
        names.add(`${l}-20250101`);
      }
    }
  }
  return [...names];
}

const TOKEN_KEYS = ['input_mtok', 'output_mtok', 'cache_read_mtok', 'cache_write_mtok'];

function tokenPrices(p: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of TOKEN_KEYS) {
    const v = p[k];
    if (v === undefined) continue;
    out[k] = typeof v === 'number' ? v : JSON.parse(JSON.stringify(v));
  }
  return out;
}

test('the committed price table is what `npm run build:prices` makes from the installed package', async () => {
  const { providers, source } = await packageData();
  const committed = JSON.parse(readFileSync(TABLE_FILE, 'utf8')) as PriceTable;
  assert.deepEqual(committed, buildPriceTable(providers, source));
});

test("the table prices every name in the package's data as the package does, at dates and hours its constraints turn on", async () => {
  const { providers } = await packageData();
  const names = namesToTry(providers);
  assert.ok(names.length > 1500, `${names.length} names`);
  // Before and after dated price changes; inside and outside time-of-day windows (DeepSeek's off-peak hours).
  const times = ['2025-01-01T03:00:00Z', '2026-06-01T17:00:00Z', '2026-12-02T12:00:00Z', '2026-12-02T16:45:00Z'].map((t) => new Date(t));
  let priced = 0;
  for (const at of times) {
    for (const name of names) {
      const theirs = genaiPrices.calcPrice({ input_tokens: 1, output_tokens: 1 }, name, { timestamp: at });
      const ours = findPrice(name, at);
      if (theirs === null) {
        assert.equal(ours, undefined, `${name}: the package prices nothing, the table ${ours?.provider}/${ours?.model}`);
        continue;
      }
      priced++;
      assert.ok(ours !== undefined, `${name}: the package prices it as ${theirs.provider.id}/${theirs.model.id}, the table not at all`);
      assert.deepEqual([ours.provider, ours.model], [theirs.provider.id, theirs.model.id], name);
      assert.deepEqual(ours.prices, tokenPrices(theirs.model_price), `${name} at ${at.toISOString()}`);
    }
  }
  assert.ok(priced > 1000, `${priced} priced lookups`);
});
