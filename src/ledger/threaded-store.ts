import module from 'node:module';
import { Worker } from 'node:worker_threads';
import type { UsageRecord } from './record.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { StoreCall, StoreMethod, StoreReply } from './sqlite-worker.ts';
import type { AggregateRow, LedgerStore, PeriodSpend, PeriodStarts, RequestsQuery, UsageQuery, VirtualKeyPatch, VirtualKeyRow } from './store.ts';

/**
 * The worker's first lines, plain JavaScript: they turn on the compile cache the main thread uses
 * (when it has one) before the TypeScript entry is loaded, so the thread reuses the stripped
 * sources instead of loading Node's type stripper into its own heap (about 30 MB).
 */
const WORKER_BOOT = `
const { workerData } = require('node:worker_threads');
if (workerData.cacheDir) require('node:module').enableCompileCache?.(workerData.cacheDir);
import(workerData.entry);
`;

/** A worker with nothing to do for this long is ended: an idle gateway does not carry its ~20 MB. */
const WORKER_IDLE_MS = 60_000;
/**
 * A flush this small, with no thread running, is written on the main thread: light traffic (up to
 * this many requests a second at the default flush interval) costs the event loop at most about a
 * millisecond a second (8 to 17 us a record), where starting the thread would cost ~20 MB of
 * memory for it. Heavier traffic starts the thread, which then takes every flush until it retires.
 */
const INLINE_ROWS = 64;

/**
 * The SQLite store with its heavy work on a worker thread: the event loop pays only for copying
 * records to it (about 0.7 us a record) instead of the inserts themselves (8-17 us a record with the
 * indexes and rollups, measured on the 2-core reference machine), and admin queries over a large
 * ledger never hold up requests. The small, frequent calls (virtual keys and spend, read every two
 * seconds; key changes) use a connection on the main thread, which WAL lets read beside the
 * worker's writes, and so do the small flushes of light traffic. The worker starts on the first
 * heavy call, ends after a minute without one, and keeps the process alive only while a call is
 * waiting.
 */
export class ThreadedSqliteStore implements LedgerStore {
  readonly kind = 'sqlite';
  readonly path: string;
  readonly #local: SqliteStore;
  #worker: Worker | undefined;
  #idle: NodeJS.Timeout | undefined;
  #next = 1;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(path: string) {
    this.path = path;
    this.#local = new SqliteStore(path);
  }

  #spawn(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    // Its young generation capped as the main thread's is (npm start): a flush's garbage is small, and
    // the default semi-spaces cost tens of MB of RSS under load.
    const worker = new Worker(WORKER_BOOT, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 8 }, workerData: { path: this.path, entry: new URL('./sqlite-worker.ts', import.meta.url).href, cacheDir: module.getCompileCacheDir?.() } });
    worker.unref();
    worker.on('message', (reply: StoreReply) => {
      const p = this.#pending.get(reply.id);
      if (p === undefined) return;
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) worker.unref();
      if (reply.ok) p.resolve(reply.result);
      else p.reject(Object.assign(new Error(reply.message), { code: reply.code }));
    });
    const fail = (error: Error): void => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the ledger's SQLite thread exited (${code})`)));
    this.#worker = worker;
    return worker;
  }

  #call<T>(method: StoreMethod, ...args: unknown[]): Promise<T> {
    const worker = this.#spawn();
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => void this.#retire(), WORKER_IDLE_MS);
    this.#idle.unref();
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.ref();
      worker.postMessage({ id, method, args } satisfies StoreCall);
    });
  }

  /** Whether the worker is running (it is not for light traffic, nor a minute after the last heavy call). */
  get threadRunning(): boolean {
    return this.#worker !== undefined;
  }

  open(): Promise<void> {
    return this.#local.open();
  }

  insert(records: readonly UsageRecord[]): Promise<void> {
    if (this.#worker === undefined && records.length <= INLINE_ROWS) return this.#local.insert(records);
    return this.#call('insert', records);
  }

  aggregate(query: UsageQuery): Promise<AggregateRow[]> {
    return this.#call('aggregate', query);
  }

  requests(query: RequestsQuery): Promise<UsageRecord[]> {
    return this.#call('requests', query);
  }

  spend(keys: readonly string[], starts: PeriodStarts): Promise<Map<string, PeriodSpend>> {
    return this.#local.spend(keys, starts);
  }

  deleteOlderThan(before: number, batch: number): Promise<number> {
    return this.#call('deleteOlderThan', before, batch);
  }

  listVirtualKeys(): Promise<VirtualKeyRow[]> {
    return this.#local.listVirtualKeys();
  }

  createVirtualKey(row: VirtualKeyRow): Promise<void> {
    return this.#local.createVirtualKey(row);
  }

  updateVirtualKey(id: string, patch: VirtualKeyPatch): Promise<VirtualKeyRow | undefined> {
    return this.#local.updateVirtualKey(id, patch);
  }

  revokeVirtualKey(id: string): Promise<boolean> {
    return this.#local.revokeVirtualKey(id);
  }

  async #retire(): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined) return;
    if (this.#pending.size > 0) {
      this.#idle = setTimeout(() => void this.#retire(), WORKER_IDLE_MS);
      this.#idle.unref();
      return;
    }
    await this.#call('close').catch(() => undefined);
    clearTimeout(this.#idle);
    if (this.#worker === worker) this.#worker = undefined;
    await worker.terminate();
  }

  /** Closes both connections and ends the thread; a later call opens and starts them again. */
  async close(): Promise<void> {
    await this.#retire();
    clearTimeout(this.#idle);
    await this.#local.close();
  }
}
