import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Label values for models the catalog does not know collapse into this one, so cardinality stays bounded. */
export const OTHER = 'other';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];

export interface RequestSample {
  route: string;
  model: string;
  provider: string;
  status: number;
  durationS: number;
  overheadS: number | undefined;
  upstreamS: number | undefined;
  ttftS: number | undefined;
  stream: boolean;
}

export interface TokenSample {
  key: string;
  model: string;
  provider: string;
  prompt: number | undefined;
  completion: number | undefined;
  cached: number | undefined;
  reasoning: number | undefined;
}

/**
 * Every instrument the gateway exports, under fixed names (dashboards and alerts depend on them). One registry per gateway
 * (tests run several in one process). Label values are names from the config or the catalog,
 * never keys or free text from a request.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #requests: Counter;
  readonly #duration: Histogram;
  readonly #overhead: Histogram;
  readonly #upstream: Histogram;
  readonly #ttft: Histogram;
  readonly #tokens: Counter;
  readonly #rateLimited: Counter;
  readonly inflightRequests: Gauge;
  readonly inflightStreams: Gauge;
  readonly usageDropped: Counter;

  constructor(circuitStates: () => Array<{ provider: string; state: 0 | 1 | 2 }>) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#requests = new Counter({ name: 'llmux_requests_total', help: 'Requests answered, by route, public model, provider and status.', labelNames: ['route', 'model', 'provider', 'status'], registers });
    this.#duration = new Histogram({ name: 'llmux_request_duration_seconds', help: 'Whole request time as the client sees it.', labelNames: ['route', 'model', 'provider'], buckets: LATENCY_BUCKETS, registers });
    this.#overhead = new Histogram({ name: 'llmux_overhead_seconds', help: 'Time spent in the gateway before the answer started (total minus upstream).', labelNames: ['route'], buckets: OVERHEAD_BUCKETS, registers });
    this.#upstream = new Histogram({ name: 'llmux_upstream_duration_seconds', help: 'Time the upstream took to answer (headers, and the body when not streamed).', labelNames: ['provider'], buckets: LATENCY_BUCKETS, registers });
    this.#ttft = new Histogram({ name: 'llmux_time_to_first_token_seconds', help: 'Time from the request to the first streamed chunk sent to the client.', labelNames: ['model', 'provider'], buckets: LATENCY_BUCKETS, registers });
    this.#tokens = new Counter({ name: 'llmux_tokens_total', help: 'Tokens reported by upstreams, by key name, model, provider and type.', labelNames: ['key', 'model', 'provider', 'type'], registers });
    this.#rateLimited = new Counter({ name: 'llmux_rate_limited_total', help: 'Requests refused by a rate limit, by key name.', labelNames: ['key'], registers });
    this.inflightRequests = new Gauge({ name: 'llmux_inflight_requests', help: 'Requests being answered now.', registers });
    this.inflightStreams = new Gauge({ name: 'llmux_inflight_streams', help: 'Streamed answers in progress now.', registers });
    this.usageDropped = new Counter({ name: 'llmux_usage_dropped_total', help: 'Usage records dropped because the ledger store was unavailable and the queue was full.', registers });
    new Gauge({
      name: 'llmux_circuit_state',
      help: 'Circuit state per provider: 0 closed, 1 half-open, 2 open.',
      labelNames: ['provider'],
      registers,
      collect() {
        this.reset();
        for (const { provider, state } of circuitStates()) this.set({ provider }, state);
      },
    });
  }

  request(s: RequestSample): void {
    const labels = { route: s.route, model: s.model, provider: s.provider };
    this.#requests.inc({ ...labels, status: String(s.status) });
    this.#duration.observe(labels, s.durationS);
    if (s.overheadS !== undefined) this.#overhead.observe({ route: s.route }, s.overheadS);
    if (s.upstreamS !== undefined && s.provider !== '') this.#upstream.observe({ provider: s.provider }, s.upstreamS);
    if (s.stream && s.ttftS !== undefined) this.#ttft.observe({ model: s.model, provider: s.provider }, s.ttftS);
  }

  tokens(s: TokenSample): void {
    const base = { key: s.key, model: s.model, provider: s.provider };
    const add = (type: string, n: number | undefined): void => {
      if (n !== undefined && n > 0) this.#tokens.inc({ ...base, type }, n);
    };
    add('prompt', s.prompt);
    add('completion', s.completion);
    add('cached', s.cached);
    add('reasoning', s.reasoning);
  }

  rateLimited(key: string): void {
    this.#rateLimited.inc({ key });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
