import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { RateLimiter } from '../limits/limiter.ts';
import { Metrics } from '../observability/metrics.ts';
import type { OutcomeSink, RequestOutcome } from '../observability/outcome.ts';
import { accessLogSink, metricsSink, tokenWindowSink } from '../observability/sinks.ts';
import { HealthChecker } from './health.ts';
import { createGatewayState, type GatewayState } from './state.ts';

/** The long-lived gateway: holds the current state and swaps it on reload. */
export class Gateway {
  readonly logger: Logger;
  readonly health: HealthChecker;
  readonly metrics: Metrics;
  /** Every consumer of the end-of-request record: metrics, the access log, token windows, the ledger. */
  readonly #sinks: OutcomeSink[];
  #state: GatewayState;
  #limiter: RateLimiter;

  private constructor(state: GatewayState, logger: Logger, limiter: RateLimiter) {
    this.#state = state;
    this.logger = logger;
    this.#limiter = limiter;
    this.metrics = new Metrics(() => {
      const now = performance.now();
      const code = { closed: 0, 'half-open': 1, open: 2 } as const;
      return [...this.#state.providers.values()].map((p) => ({ provider: p.name, state: code[p.circuit.state(now)] }));
    });
    this.#sinks = [
      metricsSink(this.metrics, (model) => this.#state.catalog.isListed(model)),
      accessLogSink(logger, () => this.#state.config),
      tokenWindowSink(() => this.#limiter),
    ];
    this.health = new HealthChecker(() => this.#state, logger);
    this.health.sync();
  }

  static async start(config: Config, logger: Logger): Promise<Gateway> {
    let gateway: Gateway | undefined;
    const { state } = await createGatewayState(config, logger, undefined, () => gateway?.state.rebuildCatalog());
    gateway = new Gateway(state, logger, await RateLimiter.create(config.rate_limit, logger));
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

  /** New requests use the new config; in-flight ones finish on the old. Unchanged providers keep their pools. */
  async reload(config: Config): Promise<void> {
    const { state, retired } = await createGatewayState(config, this.logger, this.#state, () => this.#state.rebuildCatalog());
    this.#state = state;
    this.health.sync();
    // Limit state survives a reload unless the store itself changed.
    if (RateLimiter.signatureOf(config.rate_limit) !== this.#limiter.signature) {
      const old = this.#limiter;
      this.#limiter = await RateLimiter.create(config.rate_limit, this.logger);
      void old.close();
    }
    for (const p of retired) {
      p.stopDiscovery();
      // Let requests still running on the retired pool finish before closing it.
      void p.client.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.health.stop();
    await this.#limiter.close();
    await Promise.all([...this.#state.providers.values()].map((p) => p.close().catch(() => undefined)));
  }
}
