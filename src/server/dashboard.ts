import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Gateway } from '../gateway/gateway.ts';
import type { Config } from '../config/schema.ts';

/** The console's built files (web/dist, committed): index.html and hashed assets. */
const DIST = new URL('../../web/dist/', import.meta.url).pathname;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

// The page talks only to its own origin; nothing inline runs, and it cannot be framed.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

/**
 * Read once, on the first request: a gateway that never serves the console never pays for it.
 * Gzipped up front, since the assets never change while the process runs.
 */
let assets: Map<string, Asset> | undefined;

function loadAssets(): Map<string, Asset> {
  if (assets !== undefined) return assets;
  const map = new Map<string, Asset>();
  let names: string[] = [];
  try {
    names = readdirSync(DIST);
  } catch {
    // No build: /dashboard answers 503 below, naming the missing build.
  }
  for (const name of names) {
    const body = readFileSync(join(DIST, name));
    const type = TYPES[extname(name)];
    if (type === undefined) continue;
    const etag = `"${body.length.toString(36)}-${hashOf(body)}"`;
    map.set(name, { type, body, gzip: gzipSync(body, { level: 9 }), etag });
  }
  assets = map;
  return map;
}

function hashOf(data: Buffer): string {
  let h = 2166136261;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ (data[i] ?? 0), 16777619);
  return (h >>> 0).toString(36);
}

/** Admin keys are configured: without them the console and the admin API do not exist (404). */
const adminEnabled = (config: Config): boolean => config.admin.api_keys.length > 0;

function notFound(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(404).type('application/json').send(JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: 'route_not_found' } }));
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset, cache: string): FastifyReply {
  void reply
    .header('content-type', asset.type)
    .header('cache-control', cache)
    .header('etag', asset.etag)
    .header('vary', 'accept-encoding')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
  if (asset.type.startsWith('text/html')) void reply.header('content-security-policy', CSP).header('x-frame-options', 'DENY');
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  const accepts = request.headers['accept-encoding'];
  if (typeof accepts === 'string' && /\bgzip\b/.test(accepts)) return reply.header('content-encoding', 'gzip').send(asset.gzip);
  return reply.send(asset.body);
}

/**
 * GET /dashboard: the web console, served from the repository's built files. The page itself needs
 * no key (it asks for the admin key and sends it with every admin API call), but like the admin API
 * it does not exist when no admin key is configured.
 */
export function registerDashboard(app: FastifyInstance, gateway: Gateway): void {
  const page = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    if (!adminEnabled(gateway.state.config)) return notFound(reply, 'The console is off: set admin.api_keys to turn it on.');
    const index = loadAssets().get('index.html');
    if (index === undefined) return reply.code(503).type('text/plain').send('The console is not built: run `npm run build:web`.\n');
    return send(request, reply, index, 'no-cache');
  };
  app.get('/dashboard', page);
  app.get<{ Params: { name: string } }>('/dashboard/assets/:name', async (request, reply) => {
    if (!adminEnabled(gateway.state.config)) return notFound(reply, 'The console is off: set admin.api_keys to turn it on.');
    const name = request.params.name;
    const asset = name === 'index.html' ? undefined : loadAssets().get(name);
    if (asset === undefined) return notFound(reply, `Unknown console asset: ${name.slice(0, 100)}`);
    // Names carry a content hash: a new build has new names, so a cached copy is never stale.
    return send(request, reply, asset, 'public, max-age=31536000, immutable');
  });
}
