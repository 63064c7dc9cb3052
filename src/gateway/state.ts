import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { buildCatalog, type Catalog } from '../router/catalog.ts';
import { TargetPicker } from '../router/router.ts';
import { compileRules, type RuleSet } from '../router/rules.ts';
import { createKeyStore, type KeySource, type KeyStore } from '../auth/keys.ts';
import { ProviderRuntime } from './provider-runtime.ts';

/**
 * Everything a request needs, built from one config. A request takes the state current when it
 * starts and keeps it to the end, so a reload never changes the ground under an in-flight request.
 */
export class GatewayState {
  readonly config: Config;
  readonly providers: ReadonlyMap<string, ProviderRuntime>;
  readonly rules: RuleSet;
  readonly keys: KeyStore;
  readonly picker = new TargetPicker();
  #catalog: Catalog;

  constructor(config: Config, providers: ReadonlyMap<string, ProviderRuntime>, virtualKeys?: KeySource) {
    this.config = config;
    this.providers = providers;
    this.rules = compileRules(config.model_rules);
    this.keys = createKeyStore(config.auth.api_keys, virtualKeys);
    this.#catalog = buildCatalog(config.routing, [...providers.values()]);
  }

  get catalog(): Catalog {
    return this.#catalog;
  }

  /** Called when a provider's discovered model list changed. */
  rebuildCatalog(): void {
    this.#catalog = buildCatalog(this.config.routing, [...this.providers.values()]);
  }
}

/**
 * Builds the state for `config`, reusing the runtimes (and so the connection pools) of providers
 * whose settings did not change. Returns the runtimes the new state no longer uses.
 */
export async function createGatewayState(
  config: Config,
  logger: Logger,
  previous: GatewayState | undefined,
  onModelsChanged: () => void,
  virtualKeys?: KeySource,
): Promise<{ state: GatewayState; retired: ProviderRuntime[] }> {
  const providers = new Map<string, ProviderRuntime>();
  const fresh: ProviderRuntime[] = [];
  const circuit = { threshold: config.health_check.failure_threshold, cooldownMs: config.health_check.cooldown };
  for (const pc of config.providers) {
    const old = previous?.providers.get(pc.name);
    if (old !== undefined && old.fingerprint === JSON.stringify(pc)) {
      old.circuit.configure(circuit);
      providers.set(pc.name, old);
    } else {
      const runtime = new ProviderRuntime(pc, circuit);
      providers.set(pc.name, runtime);
      fresh.push(runtime);
    }
  }
  const state = new GatewayState(config, providers, virtualKeys);
  // onModelsChanged rebuilds whichever state is current, so a runtime kept across a reload
  // still updates the catalog that is serving.
  await Promise.all(fresh.map((p) => p.startDiscovery(logger, onModelsChanged)));
  state.rebuildCatalog();
  const retired = previous === undefined ? [] : [...previous.providers.values()].filter((p) => providers.get(p.name) !== p);
  return { state, retired };
}
