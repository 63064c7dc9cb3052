import type { Logger } from 'pino';
import { configKeyName, type ClientKey } from '../auth/keys.ts';
import type { Budget, Config, UsageConfig } from '../config/schema.ts';
import { GatewayError } from '../core/errors.ts';
import type { OutcomeSink, RequestOutcome } from '../observability/outcome.ts';
import { PriceBook } from './prices.ts';
import { isLedgerRoute, recordFromOutcome } from './record.ts';
import { periodStarts, type LedgerStore, type PeriodSpend } from './store.ts';
import { VirtualKeys } from './virtual-keys.ts';
import { LedgerWriter } from './writer.ts';

/** How often spend is reread from the store (all replicas' records), for budgets and the key list. */
export const SPEND_REFRESH_MS = 2000;
const RETENTION_EVERY_MS = 3_600_000;
const RETENTION_BATCH = 5000;

/** The store a config asks for; Postgres' client is loaded only when it is the one. */
export async function openStore(usage: UsageConfig): Promise<LedgerStore | undefined> {
  if (usage.store === 'off') return undefined;
  if (usage.store === 'postgres') {
    const { PostgresStore } = await import('./postgres-store.ts');
    return new PostgresStore(usage.postgres_url ?? '');
  }
  const { ThreadedSqliteStore } = await import('./threaded-store.ts');
  return new ThreadedSqliteStore(usage.path);
}

/**
 * The usage ledger: one record per request, written in batches; cost from the price book; the
 * virtual keys; and budget checks against spend read from the shared store every two seconds plus
 * what this process has not written yet.
 */
export class Ledger {
  readonly store: LedgerStore;
  readonly writer: LedgerWriter;
  readonly keys: VirtualKeys;
  readonly #logger: Logger;
  #config: Config;
  #prices: PriceBook;
  #spend = new Map<string, PeriodSpend>();
  #budgetedConfigKeys: string[];
  #spendGeneration = 0;
  #timers: NodeJS.Timeout[] = [];

  private constructor(store: LedgerStore, config: Config, logger: Logger, onDrop: (n: number) => void) {
    this.store = store;
    this.#config = config;
    this.#logger = logger;
    this.#prices = new PriceBook(config.usage.prices);
    this.#budgetedConfigKeys = budgetedConfigKeys(config);
    this.writer = new LedgerWriter({ store, logger, flushIntervalMs: config.usage.flush_interval, onDrop });
    this.keys = new VirtualKeys(store, logger);
  }

  /**
   * Opens the store and reads the virtual keys before the gateway serves. A store that cannot be
   * opened does not stop the gateway: records queue and the writer keeps trying.
   */
  static async create(config: Config, logger: Logger, onDrop: (n: number) => void): Promise<Ledger | undefined> {
    const store = await openStore(config.usage);
    if (store === undefined) {
      const budgeted = budgetedConfigKeys(config);
      if (budgeted.length > 0) logger.warn({ keys: budgeted }, 'budgets are not enforced: they count spend in the usage ledger, which is off (usage.store: off)');
      return undefined;
    }
    const ledger = new Ledger(store, config, logger, onDrop);
    try {
      await store.open();
      await ledger.keys.refresh();
      await ledger.refreshSpend();
    } catch (error) {
      logger.warn({ store: store.kind, err: (error as Error).message.replace(/[a-z][a-z0-9+.-]*:\/\/\S*/gi, '<url>') }, 'usage ledger: the store is not available yet; records are queued until it is');
    }
    ledger.keys.start();
    const spendTimer = setInterval(() => void ledger.refreshSpend(), SPEND_REFRESH_MS);
    const retentionTimer = setInterval(() => void ledger.applyRetention(), RETENTION_EVERY_MS);
    const firstRetention = setTimeout(() => void ledger.applyRetention(), 60_000);
    for (const t of [spendTimer, retentionTimer, firstRetention]) t.unref();
    ledger.#timers = [spendTimer, retentionTimer, firstRetention];
    return ledger;
  }

  get prices(): PriceBook {
    return this.#prices;
  }

  /**
   * A reload may change prices, budgets of config keys and retention; the store stays until restart.
   * Resolves once the spend of keys that newly have a budget is read.
   */
  async reconfigure(config: Config): Promise<void> {
    if (JSON.stringify(config.usage.prices) !== JSON.stringify(this.#config.usage.prices)) this.#prices = new PriceBook(config.usage.prices);
    const changed = config.usage.store !== this.#config.usage.store || config.usage.path !== this.#config.usage.path || config.usage.postgres_url !== this.#config.usage.postgres_url;
    if (changed) this.#logger.warn('usage ledger: a changed usage.store, path or postgres_url takes effect at the next restart');
    this.#config = config;
    const budgeted = budgetedConfigKeys(config);
    const before = new Set(this.#budgetedConfigKeys);
    this.#budgetedConfigKeys = budgeted;
    // A key given a budget is checked against its whole period's spend at once, not after the next refresh.
    if (budgeted.some((k) => !before.has(k))) await this.refreshSpend();
  }

  /** A virtual key was given a budget: its spend is read now rather than at the next refresh. */
  async budgetAdded(): Promise<void> {
    await this.refreshSpend();
  }

  /** The outcome sink: builds the record and queues it. A few microseconds; never waits on the store. */
  readonly sink: OutcomeSink = (o: RequestOutcome): void => {
    if (!isLedgerRoute(o.route, o.path)) return;
    // Model lists and other answers the gateway gives itself are not usage; its refusals are.
    if (o.op === undefined && o.status < 400) return;
    this.writer.push(recordFromOutcome(o, this.#prices.cost(o.usage, o.upstreamModel, o.model)));
  };

  /** Spend of a key (name, or virtual key id) in the current period. */
  spent(key: string, period: Budget['period']): number {
    return (this.#spend.get(key)?.[period] ?? 0) + this.writer.spendAfter(key, this.#spendGeneration);
  }

  /** Throws the 429 a key gets once its recorded spend has reached its budget. */
  checkBudget(key: ClientKey | undefined): void {
    const budget = key?.budget;
    if (key === undefined || budget === undefined) return;
    const spent = this.spent(key.name, budget.period);
    if (spent < budget.usd) return;
    const label = { day: 'daily', week: 'weekly', month: 'monthly', total: 'total' }[budget.period];
    const until = budget.period === 'total' ? 'until the budget is raised' : `until the ${budget.period} rolls over (UTC) or the budget is raised`;
    throw new GatewayError('insufficient_quota', `The key "${key.name}" has spent $${spent.toFixed(6)} of its ${label} budget of $${budget.usd}: requests are refused ${until}.`);
  }

  /**
   * The keys whose spend the snapshot holds: those with a budget, which every request checks. A
   * deployment with thousands of keys and few budgets would otherwise reread all their spend every
   * two seconds (a store query and a map of every key, on the serving thread) for nobody.
   */
  #budgetedKeys(): string[] {
    const virtual = this.keys.rows().flatMap((r) => (r.budget === null ? [] : [r.id]));
    return virtual.length === 0 ? this.#budgetedConfigKeys : [...this.#budgetedConfigKeys, ...virtual];
  }

  async refreshSpend(): Promise<void> {
    const generation = this.writer.generation;
    try {
      const keys = this.#budgetedKeys();
      this.#spend = keys.length === 0 ? new Map() : await this.store.spend(keys, periodStarts(Date.now()));
      this.#spendGeneration = generation;
    } catch {
      // The last snapshot stays; local spend is still added on top of it.
    }
  }

  /**
   * Spend of any keys in a period of each, read from the store now (the admin key list shows every
   * key's, budget or not), plus what this process has not written yet. A store that cannot be read
   * gives the snapshot's figures.
   */
  async spentNow(keys: ReadonlyArray<{ id: string; period: Budget['period'] }>): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const generation = this.writer.generation;
    let stored: Map<string, PeriodSpend>;
    try {
      stored = keys.length === 0 ? new Map() : await this.store.spend(keys.map((k) => k.id), periodStarts(Date.now()));
    } catch {
      for (const k of keys) out.set(k.id, this.spent(k.id, k.period));
      return out;
    }
    for (const k of keys) out.set(k.id, (stored.get(k.id)?.[k.period] ?? 0) + this.writer.spendAfter(k.id, generation));
    return out;
  }

  async applyRetention(): Promise<void> {
    const before = Date.now() - this.#config.usage.retention;
    let deleted = 0;
    try {
      for (;;) {
        const n = await this.store.deleteOlderThan(before, RETENTION_BATCH);
        deleted += n;
        if (n < RETENTION_BATCH) break;
        // Other work (flushes, admin reads) runs between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (deleted > 0) this.#logger.info({ deleted }, 'usage ledger: records past usage.retention deleted');
    } catch (error) {
      this.#logger.debug({ err: (error as Error).message }, 'usage ledger: retention skipped (store unavailable)');
    }
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.keys.stop();
    await this.writer.close();
    await this.store.close().catch(() => undefined);
  }
}

function budgetedConfigKeys(config: Config): string[] {
  return config.auth.api_keys.flatMap((k, i) => (k.budget === undefined ? [] : [configKeyName(k, i)]));
}
