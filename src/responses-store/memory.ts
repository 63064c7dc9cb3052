import { itemsOf, type ResponseStore, type StoredResponse } from './store.ts';

interface Entry {
  record: StoredResponse;
  expires: number;
}

/**
 * In-process store, bounded: at most `maxEntries` responses, least recently used dropped first,
 * each for `ttlMs` after it was stored. Items are indexed by id for `item_reference`.
 */
export class MemoryResponseStore implements ResponseStore {
  readonly kind = 'memory';
  readonly signature: string;
  readonly #entries = new Map<string, Entry>();
  readonly #items = new Map<string, string>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(ttlMs: number, maxEntries: number, signature: string, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#max = maxEntries;
    this.signature = signature;
    this.#now = now;
  }

  async put(record: StoredResponse): Promise<void> {
    this.#drop(record.id);
    this.#entries.set(record.id, { record, expires: this.#now() + this.#ttlMs });
    for (const [id] of itemsOf(record)) this.#items.set(id, record.id);
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#drop(oldest);
    }
  }

  async get(id: string, owner: string): Promise<StoredResponse | undefined> {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.#now()) {
      this.#drop(id);
      return undefined;
    }
    if (entry.record.owner !== owner) return undefined;
    // Recently used moves to the back of the eviction order.
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return entry.record;
  }

  async delete(id: string, owner: string): Promise<boolean> {
    if ((await this.get(id, owner)) === undefined) return false;
    this.#drop(id);
    return true;
  }

  async item(id: string, owner: string): Promise<Record<string, unknown> | undefined> {
    const responseId = this.#items.get(id);
    if (responseId === undefined) return undefined;
    const record = await this.get(responseId, owner);
    return record === undefined ? undefined : itemsOf(record).find(([itemId]) => itemId === id)?.[1];
  }

  async close(): Promise<void> {
    this.#entries.clear();
    this.#items.clear();
  }

  #drop(id: string): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#entries.delete(id);
    for (const [itemId] of itemsOf(entry.record)) if (this.#items.get(itemId) === id) this.#items.delete(itemId);
  }
}
