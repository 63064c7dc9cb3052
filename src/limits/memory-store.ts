import { WINDOW_MS, type Admission, type RateStore, type TokenUsage } from './store.ts';

const MAX_IDS = 100_000;

interface Entry {
  /** Admission times, oldest first; never longer than the limit. */
  requests: number[];
  /** Tokens per second of the window: [second, tokens] pairs, oldest first. */
  tokens: Array<[number, number]>;
}

/**
 * Single-process limits. Exact: each key keeps the times of its admitted requests (at most `limit`
 * of them). The map of keys is bounded; the least recently used key goes first.
 */
export class MemoryStore implements RateStore {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  #entry(id: string): Entry {
    let entry = this.#entries.get(id);
    if (entry === undefined) {
      if (this.#entries.size >= MAX_IDS) {
        const oldest = this.#entries.keys().next();
        if (oldest.done !== true) this.#entries.delete(oldest.value);
      }
      entry = { requests: [], tokens: [] };
    } else this.#entries.delete(id);
    this.#entries.set(id, entry);
    return entry;
  }

  async admit(id: string, limit: number): Promise<Admission> {
    return this.admitSync(id, limit);
  }

  admitSync(id: string, limit: number): Admission {
    const now = this.#now();
    const { requests } = this.#entry(id);
    let drop = 0;
    while (drop < requests.length && (requests[drop] ?? 0) <= now - WINDOW_MS) drop++;
    if (drop > 0) requests.splice(0, drop);
    if (requests.length < limit) {
      requests.push(now);
      return { allowed: true, limit, remaining: limit - requests.length, resetMs: (requests[0] ?? now) + WINDOW_MS - now };
    }
    return { allowed: false, limit, remaining: 0, resetMs: (requests[0] ?? now) + WINDOW_MS - now };
  }

  async tokensUsed(id: string): Promise<TokenUsage> {
    const now = this.#now();
    const { tokens } = this.#entry(id);
    const first = Math.floor((now - WINDOW_MS) / 1000);
    while (tokens.length > 0 && (tokens[0]?.[0] ?? 0) <= first) tokens.shift();
    let used = 0;
    for (const [, n] of tokens) used += n;
    const oldest = tokens[0]?.[0];
    return { used, resetMs: oldest === undefined ? 0 : (oldest + 1) * 1000 + WINDOW_MS - now };
  }

  async addTokens(id: string, n: number): Promise<void> {
    const second = Math.floor(this.#now() / 1000);
    const { tokens } = this.#entry(id);
    const last = tokens.at(-1);
    if (last !== undefined && last[0] === second) last[1] += n;
    else tokens.push([second, n]);
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }
}
