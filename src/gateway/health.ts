import type { Logger } from 'pino';
import { readBody } from '../upstream/http.ts';
import type { GatewayState } from './state.ts';

const PROBE_TIMEOUT_MS = 10_000;

/**
 * Active health checks: every `health_check.interval`, each provider's model list is fetched (the
 * cheapest call every provider has) and the result feeds its circuit. A provider that fails its
 * probes opens; one whose probe succeeds again closes within one interval.
 */
export class HealthChecker {
  readonly #logger: Logger;
  readonly #current: () => GatewayState;
  #timer: NodeJS.Timeout | undefined;
  #interval = 0;

  constructor(current: () => GatewayState, logger: Logger) {
    this.#current = current;
    this.#logger = logger;
  }

  /** (Re)starts the timer with the current config's interval; stops it when checks are disabled. */
  sync(): void {
    const { enabled, interval } = this.#current().config.health_check;
    if (!enabled) return this.stop();
    if (this.#timer !== undefined && this.#interval === interval) return;
    this.stop();
    this.#interval = interval;
    this.#timer = setInterval(() => void this.probeAll(), interval);
    this.#timer.unref();
  }

  async probeAll(): Promise<void> {
    const state = this.#current();
    await Promise.all(
      [...state.providers.values()].map(async (p) => {
        const wasOpen = p.circuit.state(performance.now()) !== 'closed';
        try {
          const res = await p.client.send(await p.adapter.modelsCall(), { signal: new AbortController().signal, timeoutMs: Math.min(PROBE_TIMEOUT_MS, this.#interval || PROBE_TIMEOUT_MS) });
          await readBody(res.body, 16 * 1024 * 1024).catch(() => undefined);
          // Rate limiting is the provider being busy, not down; a rejected key is down for us.
          if (res.status >= 500 || res.status === 401 || res.status === 403) throw new Error(`health probe answered ${res.status}`);
          p.circuit.success();
          if (wasOpen) this.#logger.info({ provider: p.name }, 'provider healthy again: circuit closed');
        } catch (error) {
          p.circuit.failure(performance.now(), (error as Error).message);
          this.#logger.warn({ provider: p.name, err: (error as Error).message, circuit: p.circuit.state(performance.now()) }, 'health probe failed');
        }
      }),
    );
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
