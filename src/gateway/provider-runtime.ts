import type { Logger } from 'pino';
import type { ProviderConfig } from '../config/schema.ts';
import { createProviderAdapter } from '../providers/registry.ts';
import type { ProviderAdapter } from '../providers/provider.ts';
import type { RoutableProvider } from '../router/catalog.ts';
import { Circuit, type CircuitOptions } from '../router/circuit.ts';
import { compileGlob, matchesAny, type Glob } from '../router/glob.ts';
import { readBody, UpstreamClient } from '../upstream/http.ts';
import { secretNeedles } from '../providers/secrets.ts';

const RETRY_FAILED_DISCOVERY_MS = 30_000;
const DISCOVERY_TIMEOUT_MS = 10_000;

/**
 * A configured provider at run time: its adapter, its connection pool and its model list.
 * Kept across reloads while its config is unchanged, so the pool survives.
 */
export class ProviderRuntime implements RoutableProvider {
  readonly adapter: ProviderAdapter;
  readonly client: UpstreamClient;
  readonly config: ProviderConfig;
  /** Passive health: consecutive failures open it, and open circuits are skipped by the balancer. */
  readonly circuit: Circuit;
  /** JSON of the config it was built from: a reload reuses the runtime when this is unchanged. */
  readonly fingerprint: string;
  /** Its credentials as they could appear in an upstream answer, for redaction. */
  readonly secrets: readonly Buffer[];
  readonly #configured: string[];
  readonly #patterns: Glob[];
  /** Discover the list when the config gives none, or only globs ("*" still lists the upstream's models). */
  readonly #discovers: boolean;
  #discovered: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(config: ProviderConfig, circuit: CircuitOptions) {
    this.config = config;
    this.circuit = new Circuit(circuit);
    this.fingerprint = JSON.stringify(config);
    this.secrets = secretNeedles(config);
    this.adapter = createProviderAdapter(config);
    this.client = new UpstreamClient(this.adapter.origin, { provider: config.name, connectTimeoutMs: config.connect_timeout, idleTimeoutMs: config.idle_timeout });
    const listed = config.models ?? this.adapter.staticModels;
    const globs = (listed ?? []).map(compileGlob);
    this.#configured = globs.filter((g) => !g.isPattern).map((g) => g.source);
    this.#patterns = globs.filter((g) => g.isPattern);
    this.#discovers = listed === undefined || this.#configured.length === 0;
  }

  get name(): string {
    return this.config.name;
  }

  get weight(): number {
    return this.config.weight;
  }

  get hasModelList(): boolean {
    return (this.config.models ?? this.adapter.staticModels) !== undefined;
  }

  get discovers(): boolean {
    return this.#discovers;
  }

  models(): readonly string[] {
    return this.#configured.length > 0 ? this.#configured : this.#discovered;
  }

  patterns(): readonly Glob[] {
    return this.#patterns;
  }

  /** Fetches the provider's model list; returns whether the list changed. Throws on failure. */
  async refreshModels(): Promise<boolean> {
    const call = await this.adapter.modelsCall();
    const res = await this.client.send(call, { signal: new AbortController().signal, timeoutMs: DISCOVERY_TIMEOUT_MS });
    const text = (await readBody(res.body, 16 * 1024 * 1024)).toString('utf8');
    if (res.status >= 400) throw new Error(`GET ${call.path} answered ${res.status}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`GET ${call.path} answered with invalid JSON`);
    }
    // A glob list narrows what the provider serves: an upstream that lists more (a shared
    // endpoint, an aggregator) must not attract models the config did not give it.
    const listed = this.adapter.parseModels(parsed).filter((id) => this.#patterns.length === 0 || matchesAny(this.#patterns, id));
    const ids = [...new Set(listed)].sort();
    const changed = ids.join('\n') !== this.#discovered.join('\n');
    this.#discovered = ids;
    return changed;
  }

  /** Discovers now, then every `models_refresh` (sooner after a failure); `onChange` rebuilds the catalog. */
  async startDiscovery(logger: Logger, onChange: () => void): Promise<void> {
    if (!this.#discovers) return;
    const run = async (): Promise<void> => {
      let delay = this.config.models_refresh;
      try {
        if (await this.refreshModels()) onChange();
        logger.debug({ provider: this.name, models: this.#discovered.length }, 'model list refreshed');
      } catch (error) {
        // With a glob list the provider routes without discovery; the list only feeds /v1/models.
        const level = this.#patterns.length > 0 ? 'debug' : 'warn';
        logger[level]({ provider: this.name, err: (error as Error).message }, 'could not fetch the model list');
        delay = Math.min(delay, RETRY_FAILED_DISCOVERY_MS);
      }
      if (!this.#stopped) {
        this.#timer = setTimeout(() => void run(), delay);
        this.#timer.unref();
      }
    };
    await run();
  }

  stopDiscovery(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  async close(): Promise<void> {
    this.stopDiscovery();
    await this.client.close();
  }
}
