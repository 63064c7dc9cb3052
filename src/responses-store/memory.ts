import { itemsOf, type ResponseStore, type StoredResponse } from './store.ts';

interface Entry {
  record: StoredResponse;
  expires: number;
  /** Approximate bytes held (the record's JSON length). */
  bytes: number;
}

/**
 * In-process store, bounded: at most `maxEntries` responses and `maxBytes` of them (a Codex turn
 * can be half a megabyte), least recently used dropped first, each for `ttlMs` after it was
 * stored. Items are indexed by id for `item_reference`.
 */
export class MemoryResponseStore implements ResponseStore {
  readonly kind = 'memory';
  readonly signature: string;
  readonly #entries = new Map<string, Entry>();
  readonly #items = new Map<string, string>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #maxBytes: number;
  #bytes = 0;
  readonly #now: () => number;

  constructor(ttlMs: number, maxEntries: number, maxBytes: number, signature: string, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#max = maxEntries;
    this.#maxBytes = maxBytes;
    this.signature = signature;
    this.#now = now;
  }

  async put(record: StoredResponse): Promise<void> {
    this.#drop(record.id);
    const bytes = JSON.stringify(record).length;
    // One response larger than the whole budget is not kept at all (it would evict everything else).
    if (bytes > this.#maxBytes) return;
    this.#entries.set(record.id, { record, expires: this.#now() + this.#ttlMs, bytes });
    this.#bytes += bytes;
    for (const [id] of itemsOf(record)) this.#items.set(id, record.id);
    while (this.#entries.size > this.#max || this.#bytes > this.#maxBytes) {
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
    this.#bytes = 0;
  }

  #drop(id: string): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#entries.delete(id);
    this.#bytes -= entry.bytes;
    for (const [itemId] of itemsOf(entry.record)) if (this.#items.get(itemId) === id) this.#items.delete(itemId);
  }
}
