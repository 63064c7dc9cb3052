import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PriceBook, priceTokens, type Rates } from './prices.ts';

const flat = (input: number, output: number, extra: Partial<Rates> = {}): Rates => ({ input, output, cachedInput: undefined, cacheWrite: undefined, reasoning: undefined, source: 'test', ...extra });

describe('priceTokens', () => {
  const cases: Array<{ name: string; rates: Rates; usage: Parameters<typeof priceTokens>[1]; usd: number }> = [
    { name: 'input and output', rates: flat(2, 8), usage: { promptTokens: 1000, completionTokens: 500 }, usd: (1000 * 2 + 500 * 8) / 1e6 },
    { name: 'cached input at the cache-read rate', rates: flat(2, 8, { cachedInput: 0.5 }), usage: { promptTokens: 1000, completionTokens: 0, cachedTokens: 400 }, usd: (600 * 2 + 400 * 0.5) / 1e6 },
    { name: 'cached input at the input rate when the model has no cache price', rates: flat(2, 8), usage: { promptTokens: 1000, completionTokens: 0, cachedTokens: 400 }, usd: (1000 * 2) / 1e6 },
    { name: 'cache writes at their own rate', rates: flat(3, 15, { cachedInput: 0.3, cacheWrite: 3.75 }), usage: { promptTokens: 1000, completionTokens: 10, cachedTokens: 200, cacheCreationTokens: 300 }, usd: (500 * 3 + 200 * 0.3 + 300 * 3.75 + 10 * 15) / 1e6 },
    { name: 'reasoning inside completion at the output rate', rates: flat(1, 4), usage: { promptTokens: 0, completionTokens: 100, reasoningTokens: 60 }, usd: (100 * 4) / 1e6 },
    { name: 'reasoning at its own rate when one is set', rates: flat(1, 4, { reasoning: 2 }), usage: { promptTokens: 0, completionTokens: 100, reasoningTokens: 60 }, usd: (40 * 4 + 60 * 2) / 1e6 },
    { name: 'a tier applies to every token past its start', rates: flat(1, 1, { input: { base: 1.25, tiers: [{ start: 200_000, price: 2.5 }] } }), usage: { promptTokens: 300_000, completionTokens: 0 }, usd: (300_000 * 2.5) / 1e6 },
    { name: 'below the tier, the base', rates: flat(1, 1, { input: { base: 1.25, tiers: [{ start: 200_000, price: 2.5 }] } }), usage: { promptTokens: 1000, completionTokens: 0 }, usd: (1000 * 1.25) / 1e6 },
    { name: 'more cached tokens than prompt tokens (a bad upstream) never goes negative', rates: flat(2, 8, { cachedInput: 1 }), usage: { promptTokens: 10, completionTokens: 0, cachedTokens: 50 }, usd: (10 * 1) / 1e6 },
  ];
  for (const c of cases) {
    test(c.name, () => assert.ok(Math.abs(priceTokens(c.rates, c.usage) - c.usd) < 1e-15, `${priceTokens(c.rates, c.usage)} != ${c.usd}`));
  }
});

describe('PriceBook', () => {
  test('the bundled table prices known models, cached input included', () => {
    const book = new PriceBook();
    const cost = book.cost({ promptTokens: 1_000_000, completionTokens: 1_000_000, cachedTokens: 500_000 }, 'gpt-4o', undefined);
    assert.equal(cost.priced, true);
    // gpt-4o: $2.50 input, $1.25 cached input, $10 output per 1M tokens.
    assert.ok(Math.abs(cost.usd - (0.5 * 2.5 + 0.5 * 1.25 + 10)) < 1e-9, String(cost.usd));
    assert.match(book.rates('claude-sonnet-4-20250514', undefined)?.source ?? '', /^genai-prices:anthropic\//);
  });

  test('an unknown model costs 0 and is marked unpriced, never guessed', () => {
    assert.deepEqual(new PriceBook().cost({ promptTokens: 10, completionTokens: 10 }, 'my-local-model', 'my-local-model'), { usd: 0, priced: false });
  });

  test('usage.prices overrides the table and adds models; the upstream name first, then the public one', () => {
    const book = new PriceBook({ 'gpt-4o': { input: 1, output: 1 }, 'house-model': { input: 0, output: 0 }, 'public-alias': { input: 10, output: 10 } });
    assert.deepEqual(book.cost({ promptTokens: 1e6, completionTokens: 0 }, 'gpt-4o', undefined), { usd: 1, priced: true });
    assert.deepEqual(book.cost({ promptTokens: 1e6, completionTokens: 1e6 }, 'house-model', undefined), { usd: 0, priced: true });
    assert.deepEqual(book.cost({ promptTokens: 1e6, completionTokens: 0 }, 'vendor-name-7b', 'public-alias'), { usd: 10, priced: true });
  });

  test('no usage (a refused request) costs nothing and is not "unpriced"', () => {
    assert.deepEqual(new PriceBook().cost(undefined, 'whatever', undefined), { usd: 0, priced: true });
  });

  test('a model is looked up in the table once; later requests reuse its rates', () => {
    const book = new PriceBook();
    const first = book.rates('gpt-4o-mini', undefined);
    assert.ok(first !== undefined);
    assert.equal(book.rates('gpt-4o-mini', undefined), first);
    assert.equal(book.rates(undefined, 'gpt-4o-mini'), first);
  });
});
