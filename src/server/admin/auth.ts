import type { FastifyRequest } from 'fastify';
import { digest } from '../../auth/keys.ts';
import { GatewayError } from '../../core/errors.ts';
import type { Gateway } from '../../gateway/gateway.ts';

/** Digests of the admin keys, per config object: a reload brings a new config and so a new set. */
const digestsByKeys = new WeakMap<readonly string[], ReadonlySet<string>>();

function adminDigests(keys: readonly string[]): ReadonlySet<string> {
  let set = digestsByKeys.get(keys);
  if (set === undefined) {
    set = new Set(keys.map(digest));
    digestsByKeys.set(keys, set);
  }
  return set;
}

/** The admin credential: `Authorization: Bearer K` or `x-api-key: K` (never the query string, which ends up in logs). */
function adminCredential(request: FastifyRequest): string | undefined {
  const auth = request.headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^\s*Bearer\s+(.+?)\s*$/i.exec(auth);
    if (m?.[1] !== undefined) return m[1];
  }
  const x = request.headers['x-api-key'];
  return typeof x === 'string' && x !== '' ? x : undefined;
}

/**
 * Whether the request may use the admin API (and the console). Without admin keys the admin
 * surface does not exist (404). Admin keys are looked up by digest, like client keys; a client key
 * is recognised and refused with 403, so an operator who mixed them up is told so.
 */
export function requireAdmin(gateway: Gateway, request: FastifyRequest): void {
  const state = gateway.state;
  const keys = state.config.admin.api_keys;
  if (keys.length === 0) throw new GatewayError('route_not_found', `Unknown route: ${request.method} ${request.url.split('?')[0] ?? ''} (the admin API is off: set admin.api_keys)`);
  const credential = adminCredential(request);
  if (credential === undefined) throw new GatewayError('unauthorized', 'Missing admin key: send it as "Authorization: Bearer <key>" or "x-api-key".');
  if (adminDigests(keys).has(digest(credential))) return;
  if (state.keys.lookup(credential) !== undefined) throw new GatewayError('forbidden', 'This is a client key: the admin API needs an admin key (admin.api_keys).');
  throw new GatewayError('unauthorized', 'Invalid admin key.');
}
