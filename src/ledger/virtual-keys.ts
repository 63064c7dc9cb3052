import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { digest, type ClientKey, type KeySource } from '../auth/keys.ts';
import type { Budget } from '../config/schema.ts';
import { compileGlob } from '../router/glob.ts';
import type { LedgerStore, VirtualKeyPatch, VirtualKeyRow } from './store.ts';

/** How often every replica rereads the keys: a change reaches all of them within this plus one read. */
export const KEY_REFRESH_MS = 2000;

interface Entry {
  row: VirtualKeyRow;
  key: ClientKey;
}

export interface NewVirtualKey {
  name: string;
  models?: string[] | null | undefined;
  rpm?: number | null | undefined;
  tpm?: number | null | undefined;
  budget?: Budget | null | undefined;
  expires_at?: number | null | undefined;
}

/**
 * Virtual keys, created at run time and stored (hashed) in the ledger's store. Requests look them
 * up in an in-memory snapshot keyed by digest, reread from the store every two seconds: never a
 * query per request, and a revocation on any replica reaches every other within five seconds.
 * A virtual key is known by its id in the ledger, the limits and the logs (its name is for people).
 */
export class VirtualKeys implements KeySource {
  readonly #store: LedgerStore;
  readonly #logger: Logger;
  #byDigest = new Map<string, Entry>();
  #timer: NodeJS.Timeout | undefined;
  #loaded = false;

  constructor(store: LedgerStore, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  get size(): number {
    return this.#byDigest.size;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  lookup(presented: string): ClientKey | undefined {
    const e = this.#byDigest.get(digest(presented));
    if (e === undefined) return undefined;
    if (e.row.expires_at !== null && e.row.expires_at <= Date.now()) return undefined;
    return e.key;
  }

  rows(): VirtualKeyRow[] {
    return [...this.#byDigest.values()].map((e) => e.row).sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
  }

  get(id: string): VirtualKeyRow | undefined {
    for (const e of this.#byDigest.values()) if (e.row.id === id) return e.row;
    return undefined;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.refresh(), KEY_REFRESH_MS);
    this.#timer.unref();
  }

  /** Rereads the keys; a store that cannot be read keeps the last snapshot. */
  async refresh(): Promise<void> {
    try {
      const rows = await this.#store.listVirtualKeys();
      const next = new Map<string, Entry>();
      for (const row of rows) next.set(row.digest, { row, key: toClientKey(row) });
      this.#byDigest = next;
      this.#loaded = true;
    } catch (error) {
      this.#logger.debug({ err: (error as Error).message }, 'virtual keys: cannot read the store; the last snapshot stays');
    }
  }

  /** Creates a key; the secret is returned this once and only its digest is stored. */
  async create(input: NewVirtualKey): Promise<{ row: VirtualKeyRow; secret: string }> {
    const secret = `sk-llmux-${randomBytes(24).toString('base64url')}`;
    const row: VirtualKeyRow = {
      id: `vk_${randomBytes(8).toString('hex')}`,
      name: input.name,
      digest: digest(secret),
      last4: secret.slice(-4),
      models: input.models ?? null,
      rpm: input.rpm ?? null,
      tpm: input.tpm ?? null,
      budget: input.budget ?? null,
      expires_at: input.expires_at ?? null,
      created_at: Date.now(),
    };
    await this.#store.createVirtualKey(row);
    this.#byDigest.set(row.digest, { row, key: toClientKey(row) });
    return { row, secret };
  }

  async update(id: string, patch: VirtualKeyPatch): Promise<VirtualKeyRow | undefined> {
    const row = await this.#store.updateVirtualKey(id, patch);
    if (row !== undefined) this.#byDigest.set(row.digest, { row, key: toClientKey(row) });
    return row;
  }

  async revoke(id: string): Promise<boolean> {
    const ok = await this.#store.revokeVirtualKey(id);
    for (const [d, e] of this.#byDigest) if (e.row.id === id) this.#byDigest.delete(d);
    return ok;
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

function toClientKey(row: VirtualKeyRow): ClientKey {
  return { name: row.id, rpm: row.rpm ?? undefined, tpm: row.tpm ?? undefined, models: row.models?.map(compileGlob), budget: row.budget ?? undefined };
}
