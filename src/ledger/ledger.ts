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
  #spendGeneration = 0;
  #timers: NodeJS.Timeout[] = [];

  private constructor(store: LedgerStore, config: Config, logger: Logger, onDrop: (n: number) => void) {
    this.store = store;
    this.#config = config;
    this.#logger = logger;
    this.#prices = new PriceBook(config.usage.prices);
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
      const budgeted = config.auth.api_keys.flatMap((k, i) => (k.budget === undefined ? [] : [configKeyName(k, i)]));
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

  /** A reload may change prices, budgets of config keys and retention; the store stays until restart. */
  reconfigure(config: Config): void {
    if (JSON.stringify(config.usage.prices) !== JSON.stringify(this.#config.usage.prices)) this.#prices = new PriceBook(config.usage.prices);
    const changed = config.usage.store !== this.#config.usage.store || config.usage.path !== this.#config.usage.path || config.usage.postgres_url !== this.#config.usage.postgres_url;
    if (changed) this.#logger.warn('usage ledger: a changed usage.store, path or postgres_url takes effect at the next restart');
    this.#config = config;
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

  /** Every key whose spend is shown or limited: the config's keys and the virtual ones. */
  #trackedKeys(): string[] {
    return [...this.#config.auth.api_keys.map((k, i) => configKeyName(k, i)), ...this.keys.rows().map((r) => r.id)];
  }

  async refreshSpend(): Promise<void> {
    const generation = this.writer.generation;
    try {
      this.#spend = await this.store.spend(this.#trackedKeys(), periodStarts(Date.now()));
      this.#spendGeneration = generation;
    } catch {
      // The last snapshot stays; local spend is still added on top of it.
    }
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
