import { hash } from 'node:crypto';
import type { ApiKeyConfig, Budget } from '../config/schema.ts';
import { GatewayError } from '../core/errors.ts';
import { compileGlob, type Glob } from '../router/glob.ts';

export interface ClientKey {
  readonly name: string;
  readonly rpm: number | undefined;
  readonly tpm: number | undefined;
  /** Token-count requests per minute (a bucket apart from rpm); undefined: the defaults. */
  readonly countTokensRpm?: number | undefined;
  /** Allowed model globs; undefined = every model. */
  readonly models: readonly Glob[] | undefined;
  /** Spend allowed per period; undefined = no budget. */
  readonly budget?: Budget | undefined;
}

/** Keys made at run time (virtual keys), consulted after the config's own. */
export interface KeySource {
  /** How many keys it holds now: any key at all turns authentication on. */
  readonly size: number;
  lookup(presented: string): ClientKey | undefined;
}

export interface KeyStore {
  readonly enabled: boolean;
  /** The key's entry, or undefined. Lookup time does not depend on how much of a key matched. */
  lookup(presented: string): ClientKey | undefined;
}

export const digest = (key: string): string => hash('sha256', key, 'base64');

/**
 * Keys are held as SHA-256 digests and a presented key is looked up by its digest: how long the
 * lookup takes depends on the digest, which tells an attacker nothing about how much of a real key
 * they guessed (the constant-time property a byte-by-byte comparison would lack), and the map never
 * holds a key in the clear.
 */
export function createKeyStore(keys: readonly ApiKeyConfig[], virtual?: KeySource): KeyStore {
  const byDigest = new Map<string, ClientKey>();
  // Thousands of keys tend to repeat the same few globs (`claude-*`): each is compiled once.
  const globs = new Map<string, Glob>();
  const glob = (source: string): Glob => {
    let g = globs.get(source);
    if (g === undefined) globs.set(source, (g = compileGlob(source)));
    return g;
  };
  // And whole allow-lists repeat (a team's keys share one): each distinct list is built once.
  const lists = new Map<string, readonly Glob[]>();
  const allowList = (models: readonly string[]): readonly Glob[] => {
    const id = JSON.stringify(models);
    let list = lists.get(id);
    if (list === undefined) lists.set(id, (list = models.map(glob)));
    return list;
  };
  keys.forEach((k, i) => {
    byDigest.set(digest(k.key), { name: configKeyName(k, i), rpm: k.rpm, tpm: k.tpm, countTokensRpm: k.count_tokens_rpm, models: k.models === undefined ? undefined : allowList(k.models), budget: k.budget });
  });
  if (virtual === undefined) {
    return {
      enabled: byDigest.size > 0,
      lookup: (presented) => byDigest.get(digest(presented)),
    };
  }
  return {
    get enabled() {
      return byDigest.size > 0 || virtual.size > 0;
    },
    lookup: (presented) => byDigest.get(digest(presented)) ?? virtual.lookup(presented),
  };
}

/** The name a config key is known by in logs, metrics and the ledger. */
export function configKeyName(k: ApiKeyConfig, index: number): string {
  return k.name ?? `key-${index + 1}`;
}

export function modelNotAllowed(key: ClientKey | undefined, model: string): GatewayError {
  return new GatewayError('model_not_allowed', `The key "${key?.name ?? ''}" may not use the model "${model}".`, { param: 'model' });
}

/**
 * Whether a key's model allow-list admits a public model name. A glob without "/" is matched
 * against the model part of a "provider/model" name (the whole name when it has no "/"), so
 * `claude*` admits `claude-3` and `anthropic/claude-3` but never `claude-proxy/gpt-4o`: a glob
 * cannot reach across the provider prefix. A glob with "/" names the provider itself and is
 * matched against the whole name (`openai/gpt-4o*`; a star before the slash spans providers).
 * A lone `*` admits everything.
 * Call it for every public name a request is served under (the client's, a rule's rename, each
 * fallback); an alias is a public name, and admitting it admits its targets.
 */
export function keyAllowsModel(key: ClientKey | undefined, model: string): boolean {
  if (key?.models === undefined) return true;
  const slash = model.indexOf('/');
  const modelPart = slash === -1 ? model : model.slice(slash + 1);
  for (const g of key.models) {
    if (g.source.includes('/') ? g.test(model) : g.test(modelPart)) return true;
  }
  return false;
}

/** The credential a client presented, in any of the forms the three SDKs use. */
export function presentedCredential(headers: Readonly<Record<string, string | string[] | undefined>>, query: string | undefined): string | undefined {
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^\s*Bearer\s+(.+?)\s*$/i.exec(auth);
    if (m?.[1] !== undefined) return m[1];
  }
  const xApiKey = headers['x-api-key'];
  if (typeof xApiKey === 'string' && xApiKey !== '') return xApiKey;
  const goog = headers['x-goog-api-key'];
  if (typeof goog === 'string' && goog !== '') return goog;
  if (query !== undefined && query.includes('key=')) {
    const key = new URLSearchParams(query).get('key');
    if (key !== null && key !== '') return key;
  }
  return undefined;
}
