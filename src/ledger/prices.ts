import type { Usage } from '../core/chat.ts';
import type { ModelPriceConfig } from '../config/schema.ts';
import { findPrice, type TokenPrice } from './price-table.ts';
import type { Cost } from './record.ts';

/** A price in USD per 1M tokens, flat or by tiers of the request's input size (Gemini's long context). */
type Rate = TokenPrice;

/** One model's rates, in the shape both the package's table and `usage.prices` come down to. */
export interface Rates {
  input: Rate;
  output: Rate;
  cachedInput: Rate | undefined;
  cacheWrite: Rate | undefined;
  reasoning: Rate | undefined;
  source: string;
}

const NOT_PRICED: Cost = { usd: 0, priced: false };

/**
 * Prices tokens. `usage.prices` comes first, then the bundled table generated from
 * `@pydantic/genai-prices` (offline). A table lookup matches the model against every provider's
 * rules, so each model is looked up once and its rates kept; pricing a request is then a map
 * lookup and a few multiplications.
 */
export class PriceBook {
  readonly #overrides: ReadonlyMap<string, Rates>;
  readonly #cache = new Map<string, Rates | null>();

  constructor(overrides: Readonly<Record<string, ModelPriceConfig>> = {}) {
    const map = new Map<string, Rates>();
    for (const [model, p] of Object.entries(overrides)) {
      map.set(model, { input: p.input, output: p.output, cachedInput: p.cached_input, cacheWrite: p.cache_write, reasoning: p.reasoning, source: 'usage.prices' });
    }
    this.#overrides = map;
  }

  /** The rates for a model: the upstream model's name is what the provider bills, the public name is what the user configured. */
  rates(upstreamModel: string | undefined, publicModel: string | undefined): Rates | undefined {
    for (const m of [upstreamModel, publicModel]) {
      if (m === undefined) continue;
      const own = this.#overrides.get(m);
      if (own !== undefined) return own;
    }
    for (const m of [upstreamModel, publicModel]) {
      if (m === undefined) continue;
      const found = this.#lookup(m);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  cost(usage: Usage | undefined, upstreamModel: string | undefined, publicModel: string | undefined): Cost {
    if (usage === undefined) return { usd: 0, priced: true };
    const rates = this.rates(upstreamModel, publicModel);
    return rates === undefined ? NOT_PRICED : { usd: priceTokens(rates, usage), priced: true };
  }

  #lookup(model: string): Rates | undefined {
    let hit = this.#cache.get(model);
    if (hit === undefined) {
      hit = fromTable(model);
      this.#cache.set(model, hit);
    }
    return hit ?? undefined;
  }
}

function fromTable(model: string): Rates | null {
  const found = findPrice(model);
  if (found === undefined) return null;
  const p = found.prices;
  // A model priced by something else (per request, per image) is not priced by tokens here.
  if (p.input_mtok === undefined || p.output_mtok === undefined) return null;
  return { input: p.input_mtok, output: p.output_mtok, cachedInput: p.cache_read_mtok, cacheWrite: p.cache_write_mtok, reasoning: undefined, source: `genai-prices:${found.provider}/${found.model}` };
}

/** The rate that applies: a tier's price covers every token once the request's input passes its start. */
function at(r: Rate, inputTokens: number): number {
  if (typeof r === 'number') return r;
  let price = r.base;
  for (const t of r.tiers) if (inputTokens > t.start) price = t.price;
  return price;
}

/**
 * USD for one request. Prompt tokens include the cached ones (OpenAI's meaning), so the uncached
 * part pays the input rate and the cached part the cache-read rate (the input rate when the model
 * has none); completion tokens include reasoning, which pays its own rate only when one is set.
 */
export function priceTokens(rates: Rates, usage: Usage): number {
  const prompt = usage.promptTokens;
  const cached = Math.min(usage.cachedTokens ?? 0, prompt);
  const written = Math.min(usage.cacheCreationTokens ?? 0, prompt - cached);
  const plain = prompt - cached - written;
  const reasoning = rates.reasoning === undefined ? 0 : Math.min(usage.reasoningTokens ?? 0, usage.completionTokens);
  const inputRate = at(rates.input, prompt);
  const usd =
    plain * inputRate +
    cached * at(rates.cachedInput ?? rates.input, prompt) +
    written * at(rates.cacheWrite ?? rates.input, prompt) +
    (usage.completionTokens - reasoning) * at(rates.output, prompt) +
    (rates.reasoning === undefined ? 0 : reasoning * at(rates.reasoning, prompt));
  return usd / 1_000_000;
}
