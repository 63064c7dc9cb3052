import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../gateway/gateway.ts';

/** /health: liveness, no auth. Readiness and metrics arrive with the reliability and observability work. */
export function registerOpsRoutes(app: FastifyInstance, _gateway: Gateway): void {
  app.get('/health', async () => ({ status: 'ok' }));
}
