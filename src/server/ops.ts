import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../core/errors.ts';
import type { Gateway } from '../gateway/gateway.ts';

/** /health (liveness), /ready (readiness) and /metrics (Prometheus text); none needs a key. */
export function registerOpsRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/metrics', async (request, reply) => {
    if (!gateway.state.config.metrics.enabled) throw new GatewayError('route_not_found', 'metrics are disabled (metrics.enabled: false)');
    // Only the literal path: the router also matches /%6detrics and /metrics/, which a front proxy
    // that blocks /metrics would let through.
    const raw = request.raw.url ?? '';
    if (raw !== '/metrics' && !raw.startsWith('/metrics?')) throw new GatewayError('route_not_found', `Unknown route: GET ${raw.split('?')[0] ?? ''}`);
    const { contentType, body } = await gateway.metrics.text();
    return reply.type(contentType).send(body);
  });

  // Ready while at least one provider's circuit is not open; the 503 names each provider's reason.
  app.get('/ready', async (_request, reply) => {
    const now = performance.now();
    const providers: Record<string, string> = {};
    let usable = 0;
    for (const p of gateway.state.providers.values()) {
      const state = p.circuit.state(now);
      if (state === 'open') providers[p.name] = `circuit open: ${p.circuit.reason ?? 'failing'}`;
      else {
        usable++;
        providers[p.name] = state;
      }
    }
    if (usable > 0) return { status: 'ok', providers };
    if (gateway.state.providers.size === 0) providers['(none)'] = 'no providers configured';
    return reply.code(503).send({ status: 'unavailable', providers });
  });
}
