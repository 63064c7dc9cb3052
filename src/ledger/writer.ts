import type { Logger } from 'pino';
import type { UsageRecord } from './record.ts';
import type { LedgerStore } from './store.ts';

export const QUEUE_LIMIT = 100_000;
/** Records per store transaction: a flush of a full queue is cut into slices so the event loop breathes. */
const FLUSH_SLICE = 5000;
/** A queue this long is written without waiting for the timer: batches stay small under heavy traffic. */
const FLUSH_AT = 1000;
const WARN_EVERY_MS = 60_000;
/** Longer than a spend refresh takes: flushed spend is kept this long for reads that started before it. */
const RECENT_FLUSH_MS = 30_000;

export interface WriterOptions {
  store: LedgerStore;
  logger: Logger;
  flushIntervalMs: number;
  /** Counts records dropped because the queue was full (`llmux_usage_dropped_total`). */
  onDrop: (n: number) => void;
  queueLimit?: number;
}

/**
 * Takes records from requests and writes them in batches. `push` only appends to an array: a
 * request never waits on the store. A store that fails (missing path, read-only file, Postgres
 * down) keeps the records queued, up to the limit, oldest dropped first, with one warning a minute;
 * when it is back the queue drains. Spend not yet written is kept per key for the budgets.
 */
export class LedgerWriter {
  readonly #store: LedgerStore;
  readonly #logger: Logger;
  readonly #onDrop: (n: number) => void;
  readonly #limit: number;
  #queue: UsageRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #opened = false;
  #failingSince: number | undefined;
  #lastWarn = 0;
  #dropped = 0;
  /** USD per key still in the queue or in a flush that has not committed. */
  readonly #unwritten = new Map<string, number>();
  /** Bumped after every committed flush: the spend cache rereads the store when it moves. */
  #generation = 0;
  readonly #listeners: Array<(r: UsageRecord) => void> = [];
  /** Spend per key of recent flushes, by generation: a spend snapshot read before a flush still sees it. */
  #recent: Array<{ generation: number; at: number; spend: Map<string, number> }> = [];

  constructor(options: WriterOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#onDrop = options.onDrop;
    this.#limit = options.queueLimit ?? QUEUE_LIMIT;
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.#timer.unref();
  }

  get store(): LedgerStore {
    return this.#store;
  }

  get queued(): number {
    return this.#queue.length;
  }

  get dropped(): number {
    return this.#dropped;
  }

  get generation(): number {
    return this.#generation;
  }

  /** Spend of a key that a store read made at `generation` may not include: still queued, or flushed since. */
  spendAfter(key: string, generation: number): number {
    let usd = this.#unwritten.get(key) ?? 0;
    for (const f of this.#recent) if (f.generation > generation) usd += f.spend.get(key) ?? 0;
    return usd;
  }

  /** Live views (admin events) see each record as it is queued. */
  onRecord(listener: (r: UsageRecord) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  push(record: UsageRecord): void {
    this.#queue.push(record);
    if (record.key !== null && record.cost_usd > 0) this.#unwritten.set(record.key, (this.#unwritten.get(record.key) ?? 0) + record.cost_usd);
    if (this.#queue.length > this.#limit) {
      // Dropped a hundredth at a time: shifting a 100,000-record array on every request would cost more than the request.
      const over = Math.min(this.#queue.length, Math.max(this.#queue.length - this.#limit, Math.ceil(this.#limit / 100)));
      const gone = this.#queue.splice(0, over);
      for (const r of gone) this.#forget(r);
      this.#dropped += over;
      this.#onDrop(over);
    }
    if (this.#queue.length === FLUSH_AT && this.#failingSince === undefined) void this.flush();
    for (const l of this.#listeners) {
      try {
        l(record);
      } catch {
        // A live view's failure is its own.
      }
    }
  }

  #forget(r: UsageRecord): void {
    if (r.key === null || r.cost_usd === 0) return;
    const left = (this.#unwritten.get(r.key) ?? 0) - r.cost_usd;
    if (left <= 1e-12) this.#unwritten.delete(r.key);
    else this.#unwritten.set(r.key, left);
  }

  /** Writes what is queued; concurrent calls share one flush. Never throws. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flushOnce().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    if (this.#queue.length === 0 && this.#opened) return;
    try {
      if (!this.#opened) {
        await this.#store.open();
        this.#opened = true;
      }
      while (this.#queue.length > 0) {
        const batch = this.#queue.slice(0, FLUSH_SLICE);
        await this.#store.insert(batch);
        // Records pushed while the insert ran were appended: the batch is still the queue's head,
        // unless overflow dropped part of it meanwhile.
        const head = this.#queue.indexOf(batch[batch.length - 1] as UsageRecord);
        const done = this.#queue.splice(0, head + 1);
        const spend = new Map<string, number>();
        for (const r of done) {
          this.#forget(r);
          if (r.key !== null && r.cost_usd > 0) spend.set(r.key, (spend.get(r.key) ?? 0) + r.cost_usd);
        }
        this.#generation++;
        const now = Date.now();
        this.#recent = this.#recent.filter((f) => now - f.at < RECENT_FLUSH_MS);
        if (spend.size > 0) this.#recent.push({ generation: this.#generation, at: now, spend });
      }
      if (this.#failingSince !== undefined) {
        this.#logger.info({ store: this.#store.kind, downForMs: Date.now() - this.#failingSince }, 'usage ledger: the store is writable again; queued records written');
        this.#failingSince = undefined;
      }
    } catch (error) {
      const now = Date.now();
      this.#failingSince ??= now;
      if (now - this.#lastWarn >= WARN_EVERY_MS) {
        this.#lastWarn = now;
        this.#logger.warn({ store: this.#store.kind, err: describe(error), queued: this.#queue.length, dropped: this.#dropped }, 'usage ledger: cannot write to the store; records are queued in memory (oldest dropped beyond 100,000)');
      }
      // A store that failed mid-way may have lost its connection: open it again next time.
      if (this.#store.kind === 'sqlite') {
        this.#opened = false;
        await this.#store.close().catch(() => undefined);
      }
    }
  }

  /** Stops the timer and writes what is left (drain). */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
    if (this.#queue.length > 0) await this.flush();
  }
}

/** The store's error without anything that could hold a credential (a connection string). */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s]*/gi, '<url>');
}
