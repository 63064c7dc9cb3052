import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../../gateway/gateway.ts';
import type { ProviderStats } from './provider-stats.ts';

/** GET /admin/providers: each provider's circuit, models and load. The base URL is the origin only: no path token, no credential. */
export function registerProvidersRoute(app: FastifyInstance, gateway: Gateway, stats: ProviderStats): void {
  app.get('/providers', async () => {
    const now = performance.now();
    const data = [...gateway.state.providers.values()].map((p) => ({
      name: p.name,
      type: p.config.type,
      base_url: p.adapter.origin,
      circuit: { state: p.circuit.state(now), reason: p.circuit.reason ?? null },
      models: [...p.models(), ...p.patterns().map((g) => g.source)],
      inflight: p.client.inflight,
      last_error: stats.lastError(p.name),
      p50_ms: stats.p50(p.name),
    }));
    return { data };
  });
}
