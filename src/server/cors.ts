import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../gateway/gateway.ts';

/** `server.cors` as the config gives it; absent means CORS is off. */
export interface CorsSettings {
  origins: readonly string[];
}

const EXPOSED = [
  'x-request-id', 'x-llmux-overhead-ms', 'x-llmux-provider', 'retry-after',
  'x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests',
  'x-ratelimit-limit-tokens', 'x-ratelimit-remaining-tokens', 'x-ratelimit-reset-tokens',
].join(', ');
const METHODS = 'GET, POST, OPTIONS';
const MAX_AGE_S = '600';

/**
 * CORS headers for one request under the live config (it may change on reload). Written on the raw
 * response, so answers the pipeline writes itself carry them too. With CORS off, or no Origin
 * header, this is one property test: the common case costs nothing.
 */
export function applyCors(settings: CorsSettings | undefined, origin: string | undefined, res: ServerResponse): boolean {
  if (settings === undefined || origin === undefined) return false;
  const any = settings.origins.includes('*');
  if (!any && !settings.origins.includes(origin)) return false;
  res.setHeader('access-control-allow-origin', any ? '*' : origin);
  if (!any) res.setHeader('vary', 'Origin');
  res.setHeader('access-control-expose-headers', EXPOSED);
  return true;
}

/** Preflights: any path, answered before auth (browsers send no credentials with them). */
export function registerCorsPreflight(app: FastifyInstance, gateway: Gateway): void {
  app.options('*', (request, reply) => {
    const res = reply.raw;
    const allowed = applyCors(gateway.state.config.server.cors, request.headers.origin, res);
    if (allowed) {
      res.setHeader('access-control-allow-methods', METHODS);
      const asked = request.headers['access-control-request-headers'];
      if (typeof asked === 'string' && asked !== '') {
        res.setHeader('access-control-allow-headers', asked);
        res.setHeader('vary', 'Origin, Access-Control-Request-Headers');
      }
      res.setHeader('access-control-max-age', MAX_AGE_S);
    }
    void reply.code(204).header('allow', METHODS).send();
  });
}
