import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { createGatewayState, type GatewayState } from './state.ts';

/** The long-lived gateway: holds the current state and swaps it on reload. */
export class Gateway {
  readonly logger: Logger;
  #state: GatewayState;

  private constructor(state: GatewayState, logger: Logger) {
    this.#state = state;
    this.logger = logger;
  }

  static async start(config: Config, logger: Logger): Promise<Gateway> {
    let gateway: Gateway | undefined;
    const { state } = await createGatewayState(config, logger, undefined, () => gateway?.state.rebuildCatalog());
    gateway = new Gateway(state, logger);
    return gateway;
  }

  get state(): GatewayState {
    return this.#state;
  }

  /** New requests use the new config; in-flight ones finish on the old. Unchanged providers keep their pools. */
  async reload(config: Config): Promise<void> {
    const { state, retired } = await createGatewayState(config, this.logger, this.#state, () => this.#state.rebuildCatalog());
    this.#state = state;
    for (const p of retired) {
      p.stopDiscovery();
      // Let requests still running on the retired pool finish before closing it.
      void p.client.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#state.providers.values()].map((p) => p.close().catch(() => undefined)));
  }
}
