import { Worker } from 'node:worker_threads';
import type { UsageRecord } from './record.ts';
import type { StoreCall, StoreMethod, StoreReply } from './sqlite-worker.ts';
import type { AggregateRow, LedgerStore, PeriodSpend, PeriodStarts, RequestsQuery, UsageQuery, VirtualKeyPatch, VirtualKeyRow } from './store.ts';

/**
 * The SQLite store run on a worker thread: the event loop pays only for copying records to it
 * (about 0.7 us a record) instead of the inserts themselves (8-17 us a record with the indexes and
 * rollups, measured on the 2-core reference machine). The worker is started on first use and
 * again after it dies; it keeps the process alive only while a call is waiting.
 */
export class ThreadedSqliteStore implements LedgerStore {
  readonly kind = 'sqlite';
  readonly path: string;
  #worker: Worker | undefined;
  #next = 1;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(path: string) {
    this.path = path;
  }

  #spawn(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const worker = new Worker(new URL('./sqlite-worker.ts', import.meta.url), { workerData: { path: this.path } });
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
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.ref();
      worker.postMessage({ id, method, args } satisfies StoreCall);
    });
  }

  open(): Promise<void> {
    return this.#call('open');
  }

  insert(records: readonly UsageRecord[]): Promise<void> {
    return this.#call('insert', records);
  }

  aggregate(query: UsageQuery): Promise<AggregateRow[]> {
    return this.#call('aggregate', query);
  }

  requests(query: RequestsQuery): Promise<UsageRecord[]> {
    return this.#call('requests', query);
  }

  spend(keys: readonly string[], starts: PeriodStarts): Promise<Map<string, PeriodSpend>> {
    return this.#call('spend', keys, starts);
  }

  deleteOlderThan(before: number, batch: number): Promise<number> {
    return this.#call('deleteOlderThan', before, batch);
  }

  listVirtualKeys(): Promise<VirtualKeyRow[]> {
    return this.#call('listVirtualKeys');
  }

  createVirtualKey(row: VirtualKeyRow): Promise<void> {
    return this.#call('createVirtualKey', row);
  }

  updateVirtualKey(id: string, patch: VirtualKeyPatch): Promise<VirtualKeyRow | undefined> {
    return this.#call('updateVirtualKey', id, patch);
  }

  revokeVirtualKey(id: string): Promise<boolean> {
    return this.#call('revokeVirtualKey', id);
  }

  /** Closes the database and ends the thread; a later call starts a new one. */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined) return;
    await this.#call('close').catch(() => undefined);
    this.#worker = undefined;
    await worker.terminate();
  }
}
