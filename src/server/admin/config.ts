import type { FastifyInstance } from 'fastify';
import { redactSecrets } from '../../config/redact.ts';
import type { Gateway } from '../../gateway/gateway.ts';

/** GET /admin/config: the running config with every secret redacted, and the routing table it resolves to. */
export function registerConfigRoute(app: FastifyInstance, gateway: Gateway): void {
  app.get('/config', async () => {
    const state = gateway.state;
    const config = state.config;
    const routes = state.catalog.publicModels().map((m) => ({
      model: m.id,
      alias: config.routing.aliases[m.id] !== undefined,
      targets: state.catalog.resolve(m.id).targets.map((t) => ({ provider: t.provider, upstream_model: t.upstreamModel, weight: t.weight })),
    }));
    const patterns = [...state.providers.values()].flatMap((p) => p.patterns().map((g) => ({ pattern: g.source, provider: p.name, weight: p.weight })));
    return {
      config: redactSecrets(config),
      routing: { mode: config.routing.mode, routes, patterns, fallbacks: config.routing.fallbacks },
    };
  });
}
