import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStore } from './sqlite-store.ts';
import type { LedgerStore } from './store.ts';

/**
 * The SQLite ledger's own thread: node:sqlite is synchronous, and a flush of a thousand records
 * (four indexes, the rollups) or an admin query over a large ledger would otherwise hold up every
 * request on the event loop. Calls arrive as `{id, method, args}` and are answered in order.
 */
export type StoreMethod = Exclude<keyof LedgerStore, 'kind'>;
export interface StoreCall {
  id: number;
  method: StoreMethod;
  args: unknown[];
}
export type StoreReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string; code: string | undefined };

const port = parentPort;
// Imported outside a worker (the compile-cache warm-up imports every module), it does nothing.
if (port !== null && workerData !== null) {
  const store = new SqliteStore(String((workerData as { path: string }).path));
  port.on('message', (call: StoreCall) => {
    void (async () => {
      try {
        const fn = store[call.method] as (...args: unknown[]) => Promise<unknown>;
        const result = await fn.apply(store, call.args);
        port.postMessage({ id: call.id, ok: true, result } satisfies StoreReply);
      } catch (error) {
        const e = error as { message?: string; code?: string };
        port.postMessage({ id: call.id, ok: false, message: e.message ?? String(error), code: e.code } satisfies StoreReply);
      }
    })();
  });
}
