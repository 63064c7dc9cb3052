import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../../gateway/gateway.ts';
import { requireAdmin } from './auth.ts';
import { registerConfigRoute } from './config.ts';
import { registerEventsRoute } from './events.ts';
import { registerKeyRoutes } from './keys.ts';
import { ProviderStats } from './provider-stats.ts';
import { registerProvidersRoute } from './providers.ts';
import { registerRequestsRoute } from './requests.ts';
import { registerUsageRoute } from './usage.ts';

/**
 * The admin API under /admin, in its own plugin with its own auth hook: admin keys only, answers
 * and errors in the OpenAI shape. Without `admin.api_keys` every /admin route is a 404.
 */
export function registerAdminRoutes(app: FastifyInstance, gateway: Gateway): void {
  const stats = new ProviderStats();
  gateway.addSink(stats.sink);
  void app.register(
    async (admin) => {
      admin.addHook('onRequest', async (request) => requireAdmin(gateway, request));
      registerUsageRoute(admin, gateway);
      registerRequestsRoute(admin, gateway);
      registerProvidersRoute(admin, gateway, stats);
      registerKeyRoutes(admin, gateway);
      registerConfigRoute(admin, gateway);
      registerEventsRoute(admin, gateway);
    },
    { prefix: '/admin' },
  );
}
