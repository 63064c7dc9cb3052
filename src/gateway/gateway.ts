import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { Ledger } from '../ledger/ledger.ts';
import { RateLimiter } from '../limits/limiter.ts';
import { Metrics } from '../observability/metrics.ts';
import type { OutcomeSink, RequestOutcome } from '../observability/outcome.ts';
import { accessLogSink, metricsSink, tokenWindowSink } from '../observability/sinks.ts';
import { HealthChecker } from './health.ts';
import { createGatewayState, type GatewayState } from './state.ts';
import { createResponseStore, storeSignature } from '../responses-store/create.ts';
import type { ResponseStore } from '../responses-store/store.ts';

/** The long-lived gateway: holds the current state and swaps it on reload. */
export class Gateway {
  readonly logger: Logger;
  readonly health: HealthChecker;
  readonly metrics: Metrics;
  /** Every consumer of the end-of-request record: metrics, the access log, token windows, the ledger. */
  readonly #sinks: OutcomeSink[];
  #state: GatewayState;
  #limiter: RateLimiter;
  /** The usage ledger with its virtual keys and budgets; undefined with `usage.store: off`. */
  readonly ledger: Ledger | undefined;
  #responses: ResponseStore | undefined;
  /** The `responses` settings the store was built for: a reload rebuilds it only when they change. */
  #responsesSignature: string;

  private constructor(state: GatewayState, logger: Logger, limiter: RateLimiter, responses: ResponseStore | undefined, ledger: Ledger | undefined) {
    this.#state = state;
    this.#responses = responses;
    this.#responsesSignature = responses?.signature ?? 'off';
    this.logger = logger;
    this.#limiter = limiter;
    this.ledger = ledger;
    this.metrics = new Metrics(() => {
      const now = performance.now();
      const code = { closed: 0, 'half-open': 1, open: 2 } as const;
      return [...this.#state.providers.values()].map((p) => ({ provider: p.name, state: code[p.circuit.state(now)] }));
    });
    this.#sinks = [
      metricsSink(this.metrics, (model) => this.#state.catalog.isListed(model)),
      accessLogSink(logger, () => this.#state.config),
      tokenWindowSink(() => this.#limiter),
      ...(ledger === undefined ? [] : [ledger.sink]),
    ];
    this.health = new HealthChecker(() => this.#state, logger);
    this.health.sync();
  }

  /** `ledger: false` for commands that only read the config (`llmux check`): no store is opened. */
  static async start(config: Config, logger: Logger, options: { ledger?: boolean } = {}): Promise<Gateway> {
    let gateway: Gateway | undefined;
    const ledger = options.ledger === false ? undefined : await Ledger.create(config, logger, (n) => gateway?.metrics.usageDropped.inc(n));
    const { state } = await createGatewayState(config, logger, undefined, () => gateway?.state.rebuildCatalog(), ledger?.keys);
    gateway = new Gateway(state, logger, await RateLimiter.create(config.rate_limit, logger), await createResponseStore(config, logger), ledger);
    return gateway;
  }

  addSink(sink: OutcomeSink): void {
    this.#sinks.push(sink);
  }

  /** Hands a finished request's record to every sink; one failing sink neither stops the others nor the server. */
  finish(outcome: RequestOutcome): void {
    for (const sink of this.#sinks) {
      try {
        sink(outcome);
      } catch (error) {
        this.logger.error({ err: error, reqId: outcome.reqId }, 'an end-of-request consumer failed');
      }
    }
  }

  get state(): GatewayState {
    return this.#state;
  }

  get limiter(): RateLimiter {
    return this.#limiter;
  }

  /** Stored Responses API answers; undefined when `responses.store` is off. */
  get responses(): ResponseStore | undefined {
    return this.#responses;
  }

  /** New requests use the new config; in-flight ones finish on the old. Unchanged providers keep their pools. */
  async reload(config: Config): Promise<void> {
    const { state, retired } = await createGatewayState(config, this.logger, this.#state, () => this.#state.rebuildCatalog(), this.ledger?.keys);
    // Before the swap: a key that newly has a budget is checked, from its first request, against the spend read here.
    await this.ledger?.reconfigure(config);
    this.#state = state;
    this.health.sync();
    // Limit state survives a reload unless the store itself changed.
    if (RateLimiter.signatureOf(config.rate_limit) !== this.#limiter.signature) {
      const old = this.#limiter;
      this.#limiter = await RateLimiter.create(config.rate_limit, this.logger);
      void old.close();
    }
    // Stored responses survive a reload unless the store itself changed.
    const signature = config.responses.store === 'off' ? 'off' : storeSignature(config);
    if (signature !== this.#responsesSignature) {
      const old = this.#responses;
      this.#responses = await createResponseStore(config, this.logger);
      this.#responsesSignature = signature;
      void old?.close();
    }
    for (const p of retired) {
      p.stopDiscovery();
      // Let requests still running on the retired pool finish before closing it.
      void p.client.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.health.stop();
    // Written on drain: the records of the last requests are not lost.
    await this.ledger?.close();
    await this.#limiter.close();
    await this.#responses?.close();
    await Promise.all([...this.#state.providers.values()].map((p) => p.close().catch(() => undefined)));
  }
}
