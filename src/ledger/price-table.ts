import { readFileSync } from 'node:fs';

/** A model-name test as the price data writes it; names are compared lower-cased, as the data's authors expect. */
export type NameMatch =
  | { or: NameMatch[] }
  | { and: NameMatch[] }
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string };

export type TieredPrice = { base: number; tiers: Array<{ start: number; price: number }> };
export type TokenPrice = number | TieredPrice;

/** USD per 1M tokens; a model priced only by something else (requests, images, audio hours) has none. */
export interface TokenPrices {
  input_mtok?: TokenPrice;
  output_mtok?: TokenPrice;
  cache_read_mtok?: TokenPrice;
  cache_write_mtok?: TokenPrice;
}

/** A time-of-day window is kept as UTC seconds since midnight (the generator resolves the data's offsets). */
export type PriceConstraint = { type: 'start_date'; start_date: string } | { type: 'time_of_date'; start_s: number; end_s: number };

export interface PricedModel {
  id: string;
  match: NameMatch;
  prices: TokenPrices | Array<{ constraint?: PriceConstraint; prices: TokenPrices }>;
}

export interface PricedProvider {
  id: string;
  /** Which model names this provider prices when the caller names no provider; absent: reachable only as a fallback. */
  model_match?: NameMatch;
  /** Providers whose models this one also sells, searched in order when its own list has no match. */
  fallback_model_providers?: string[];
  models: PricedModel[];
}

export interface PriceTable {
  /** The package and version the table was generated from (`npm run build:prices`). */
  source: string;
  providers: PricedProvider[];
}

/**
 * The token prices of `@pydantic/genai-prices`, cut down at build time to what pricing a request
 * reads: the package's own module (descriptions, extractors, every price unit) costs about 5 MB of
 * an idle gateway's memory once loaded, this table under one. Read on the first lookup.
 */
let table: PriceTable | undefined;
export function priceTable(): PriceTable {
  table ??= JSON.parse(readFileSync(new URL('./price-table.json', import.meta.url), 'utf8')) as PriceTable;
  return table;
}

function matches(m: NameMatch, name: string): boolean {
  if ('or' in m) return m.or.some((x) => matches(x, name));
  if ('and' in m) return m.and.every((x) => matches(x, name));
  if ('equals' in m) return name === m.equals.toLowerCase();
  if ('starts_with' in m) return name.startsWith(m.starts_with.toLowerCase());
  if ('ends_with' in m) return name.endsWith(m.ends_with.toLowerCase());
  if ('contains' in m) return name.includes(m.contains.toLowerCase());
  return new RegExp(m.regex).test(name);
}

/** The data names dated snapshots `-2024-08-06`; providers often send `-20240806`. */
const COMPACT_DATE = /(-)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g;
function dashedDates(name: string): string {
  return name.replace(COMPACT_DATE, (whole: string, dash: string, y: string, m: string, d: string) => {
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d) ? `${dash}${y}-${m}-${d}` : whole;
  });
}

function inProvider(p: PricedProvider, name: string, all: readonly PricedProvider[] | undefined): PricedModel | undefined {
  const own = p.models.find((m) => matches(m.match, name));
  if (own !== undefined || all === undefined) return own;
  for (const id of p.fallback_model_providers ?? []) {
    const other = all.find((x) => x.id === id);
    const found = other === undefined ? undefined : inProvider(other, name, undefined);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The price set in force at `at`: the last one whose constraint holds, else the first. */
function pricesAt(model: PricedModel, at: Date): TokenPrices {
  if (!Array.isArray(model.prices)) return model.prices;
  for (let i = model.prices.length - 1; i >= 0; i--) {
    const entry = model.prices[i];
    if (entry === undefined) continue;
    const c = entry.constraint;
    if (c === undefined) return entry.prices;
    if (c.type === 'start_date') {
      if (at >= new Date(c.start_date)) return entry.prices;
      continue;
    }
    const now = at.getUTCHours() * 3600 + at.getUTCMinutes() * 60 + at.getUTCSeconds() + at.getUTCMilliseconds() / 1000;
    const start = c.start_s;
    const end = c.end_s;
    if (end < start ? now >= start || now < end : now >= start && now < end) return entry.prices;
  }
  return model.prices[0]?.prices ?? {};
}

/**
 * The provider and model the table prices a model name as, and the prices in force at `at`: the
 * first provider whose `model_match` takes the name, then the first of its models (or its fallback
 * providers' models) that does, trying the name again with its date dashed. The package's
 * `calcPrice` finds the same (the test beside the generator checks every name in the data).
 */
export function findPrice(modelName: string, at: Date = new Date(), t: PriceTable = priceTable()): { provider: string; model: string; prices: TokenPrices } | undefined {
  const name = modelName.toLowerCase().trim();
  const provider = t.providers.find((p) => p.model_match !== undefined && matches(p.model_match, name));
  if (provider === undefined) return undefined;
  let model = inProvider(provider, name, t.providers);
  if (model === undefined) {
    const dashed = dashedDates(name);
    if (dashed !== name) model = inProvider(provider, dashed, t.providers);
  }
  if (model === undefined) return undefined;
  return { provider: provider.id, model: model.id, prices: pricesAt(model, at) };
}
