// Writes src/ledger/price-table.json from the installed @pydantic/genai-prices: `npm run build:prices`
// after updating the package. The ledger reads the table, never the package, at run time.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { PriceConstraint, PricedModel, PricedProvider, PriceTable, TokenPrice, TokenPrices } from '../src/ledger/price-table.ts';

const require = createRequire(import.meta.url);
export const TABLE_FILE = fileURLToPath(new URL('../src/ledger/price-table.json', import.meta.url));

interface SourceModel {
  id: string;
  match: PricedModel['match'];
  prices: Record<string, unknown> | Array<{ constraint?: Record<string, string>; prices: Record<string, unknown> }>;
}
interface SourceProvider {
  id: string;
  model_match?: PricedProvider['model_match'];
  fallback_model_providers?: string[];
  models: SourceModel[];
}

const TOKEN_KEYS = ['input_mtok', 'output_mtok', 'cache_read_mtok', 'cache_write_mtok'] as const;

function tokenPrice(v: unknown): TokenPrice | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'object' || v === null) return undefined;
  const t = v as { base: number; tiers: Array<{ start: number; price: number }> };
  return { base: t.base, tiers: [...t.tiers].sort((a, b) => a.start - b.start).map((x) => ({ start: x.start, price: x.price })) };
}

function tokenPrices(p: Record<string, unknown>): TokenPrices {
  const out: TokenPrices = {};
  for (const k of TOKEN_KEYS) {
    const v = tokenPrice(p[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** "HH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" as UTC seconds since midnight. */
function utcSeconds(time: string): number {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(time);
  if (m === null) throw new Error(`unreadable time of day in the price data: ${time}`);
  const local = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(`0.${m[4] ?? ''}`);
  const offset = m[5] === 'Z' ? 0 : (m[6] === '+' ? 1 : -1) * (Number(m[7]) * 3600 + Number(m[8]) * 60);
  return (local - offset + 86400) % 86400;
}

function constraint(c: Record<string, string>): PriceConstraint {
  if (c['start_date'] !== undefined) return { type: 'start_date', start_date: c['start_date'] };
  if (c['start_time'] !== undefined && c['end_time'] !== undefined) return { type: 'time_of_date', start_s: utcSeconds(c['start_time']), end_s: utcSeconds(c['end_time']) };
  throw new Error(`unknown price constraint in the price data: ${JSON.stringify(c)}`);
}

/**
 * The providers a lookup by model name can reach (those with a `model_match`, and the fallbacks
 * they name), each model with its match and its token prices only, in the data's order.
 */
export function buildPriceTable(providers: readonly SourceProvider[], source: string): PriceTable {
  const reachable = new Set<string>();
  for (const p of providers) {
    if (p.model_match === undefined) continue;
    reachable.add(p.id);
    for (const f of p.fallback_model_providers ?? []) reachable.add(f);
  }
  return {
    source,
    providers: providers
      .filter((p) => reachable.has(p.id))
      .map((p) => ({
        id: p.id,
        ...(p.model_match === undefined ? {} : { model_match: p.model_match }),
        ...(p.fallback_model_providers === undefined ? {} : { fallback_model_providers: p.fallback_model_providers }),
        models: p.models.map((m) => ({
          id: m.id,
          match: m.match,
          prices: Array.isArray(m.prices) ? m.prices.map((e) => ({ ...(e.constraint === undefined ? {} : { constraint: constraint(e.constraint) }), prices: tokenPrices(e.prices) })) : tokenPrices(m.prices),
        })),
      })),
  };
}

/** The installed package's data and name@version. */
export async function packageData(): Promise<{ providers: SourceProvider[]; source: string }> {
  const pkg = require('@pydantic/genai-prices') as { waitForUpdate(): Promise<SourceProvider[]> };
  // The package's exports map hides its package.json; it sits above the entry's dist/ folder.
  const manifest = join(dirname(require.resolve('@pydantic/genai-prices')), '..', 'package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return { providers: await pkg.waitForUpdate(), source: `@pydantic/genai-prices ${version}` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { providers, source } = await packageData();
  const table = buildPriceTable(providers, source);
  writeFileSync(TABLE_FILE, `${JSON.stringify(table)}\n`);
  console.log(`${TABLE_FILE}: ${table.providers.length} providers, ${table.providers.reduce((n, p) => n + p.models.length, 0)} models, from ${source}`);
}
