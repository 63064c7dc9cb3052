import type { Config } from '../config/schema.ts';
import { closest, editDistance } from '../core/did-you-mean.ts';
import { GatewayError } from '../core/errors.ts';
import { matchesAny, type Glob } from './glob.ts';

/** What the router needs to know of a provider: its name, its weight and which models it serves. */
export interface RoutableProvider {
  readonly name: string;
  readonly weight: number;
  /** Concrete model names: from the config, or discovered from the provider's model list. */
  models(): readonly string[];
  /** Globs from the config (`gpt-4o*`, `*`): served, but not listed. */
  patterns(): readonly Glob[];
  /**
   * Whether the config gives this provider a model list (or its type has a fixed one): explicit
   * `provider/model` names are then held to that list. Without one, any name goes through.
   */
  readonly hasModelList?: boolean;
}

export interface Target {
  readonly provider: string;
  readonly upstreamModel: string;
  readonly weight: number;
}

export interface Route {
  /** The name the request is accounted under (alias, public model or provider/model). */
  readonly publicModel: string;
  /** Identifies the target set for balancing: the public model, plus the pinned provider if any. */
  readonly key: string;
  readonly targets: readonly Target[];
}

export interface PublicModel {
  readonly id: string;
  readonly ownedBy: string;
}

export interface Catalog {
  readonly mode: 'merge' | 'prefix';
  /**
   * `pin` is the X-Model-Provider header. Throws a 404 GatewayError listing close matches, only
   * among names `allowed` admits (the client key's allow-list) when given.
   */
  resolve(model: string, pin?: string, allowed?: (publicName: string) => boolean): Route;
  publicModels(): readonly PublicModel[];
  /** Whether a name is on the public list (bounds the model label of metrics). */
  isListed(name: string): boolean;
  hasProvider(name: string): boolean;
}

export function buildCatalog(routing: Config['routing'], providers: readonly RoutableProvider[]): Catalog {
  const byName = new Map(providers.map((p) => [p.name, p]));
  const exact = new Map<string, Target[]>();
  const add = (name: string, target: Target): void => {
    const list = exact.get(name);
    if (list === undefined) exact.set(name, [target]);
    else if (!list.some((t) => t.provider === target.provider)) list.push(target);
  };
  for (const p of providers) {
    for (const m of p.models()) {
      add(routing.mode === 'merge' ? m : `${p.name}/${m}`, { provider: p.name, upstreamModel: m, weight: p.weight });
    }
  }

  const aliases = new Map<string, Target[]>();
  for (const [alias, raw] of Object.entries(routing.aliases)) {
    const entries = Array.isArray(raw) ? raw : [raw];
    const targets: Target[] = [];
    for (const entry of entries) {
      const spec = typeof entry === 'string' ? { target: entry, weight: undefined } : entry;
      const slash = spec.target.indexOf('/');
      const provider = byName.get(spec.target.slice(0, slash));
      if (provider === undefined) continue;
      targets.push({ provider: provider.name, upstreamModel: spec.target.slice(slash + 1), weight: spec.weight ?? provider.weight });
    }
    if (targets.length > 0) aliases.set(alias, targets);
  }

  const listed: PublicModel[] = [];
  for (const [id, targets] of exact) listed.push({ id, ownedBy: targets.length === 1 ? (targets[0]?.provider ?? 'llmux') : 'llmux' });
  for (const id of aliases.keys()) if (!exact.has(id)) listed.push({ id, ownedBy: 'llmux' });
  listed.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const listedNames = new Set(listed.map((m) => m.id));
  const withPatterns = providers.filter((p) => p.patterns().length > 0);

  const narrow = (route: Route, pin: string | undefined): Route =>
    pin === undefined ? route : { publicModel: route.publicModel, key: `${route.key}\u0000${pin}`, targets: route.targets.filter((t) => t.provider === pin) };

  const notFound = (model: string, pin: string | undefined, allowed: ((name: string) => boolean) | undefined): GatewayError => {
    const names = listed.map((m) => m.id).filter((name) => allowed === undefined || allowed(name));
    const near = nearest(model, names);
    const where = pin === undefined ? '' : ` on provider "${pin}"`;
    const suggestion = near.length > 0 ? ` Did you mean: ${near.join(', ')}?` : names.length === 0 ? ' No models are configured.' : '';
    return new GatewayError('model_not_found', `The model "${model}" does not exist${where}.${suggestion}`, { param: 'model' });
  };

  return {
    mode: routing.mode,
    hasProvider: (name) => byName.has(name),
    publicModels: () => listed,
    isListed: (name) => listedNames.has(name),
    resolve(model, pin, allowed) {
      if (pin !== undefined && !byName.has(pin)) {
        const guess = closest(pin, [...byName.keys()]);
        throw new GatewayError('model_not_found', `Unknown provider "${pin}" in X-Model-Provider.${guess === undefined ? '' : ` Did you mean "${guess}"?`}`, { param: 'X-Model-Provider' });
      }
      const slash = model.indexOf('/');
      if (slash > 0) {
        const provider = byName.get(model.slice(0, slash));
        if (provider !== undefined && slash < model.length - 1) {
          const upstreamModel = model.slice(slash + 1);
          // A provider's model list is what the admin lets clients reach there.
          if (provider.hasModelList === true && !provider.models().includes(upstreamModel) && !matchesAny(provider.patterns(), upstreamModel)) {
            throw notFound(model, pin, allowed);
          }
          const route = narrow({ publicModel: model, key: model, targets: [{ provider: provider.name, upstreamModel, weight: provider.weight }] }, pin);
          if (route.targets.length > 0) return route;
          throw notFound(model, pin, allowed);
        }
      }
      const alias = aliases.get(model);
      if (alias !== undefined) {
        const route = narrow({ publicModel: model, key: model, targets: alias }, pin);
        if (route.targets.length > 0) return route;
      }
      if (routing.mode === 'merge') {
        const known = exact.get(model);
        const targets: Target[] = known === undefined ? [] : [...known];
        if (known === undefined || pin !== undefined) {
          for (const p of withPatterns) {
            if (!targets.some((t) => t.provider === p.name) && matchesAny(p.patterns(), model)) {
              targets.push({ provider: p.name, upstreamModel: model, weight: p.weight });
            }
          }
        }
        const route = narrow({ publicModel: model, key: model, targets }, pin);
        if (route.targets.length > 0) return route;
      } else if (pin !== undefined) {
        // Prefix mode with a pinned provider: the bare name is that provider's model.
        const provider = byName.get(pin);
        if (provider !== undefined && (provider.models().includes(model) || matchesAny(provider.patterns(), model))) {
          return { publicModel: `${pin}/${model}`, key: `${pin}/${model}`, targets: [{ provider: pin, upstreamModel: model, weight: provider.weight }] };
        }
      }
      throw notFound(model, pin, allowed);
    },
  };
}

/** Up to five names close to `model`: by edit distance, or sharing its text. */
function nearest(model: string, names: readonly string[]): string[] {
  const lower = model.toLowerCase();
  return names
    .map((name) => {
      const n = name.toLowerCase();
      const base = n.includes('/') ? n.slice(n.indexOf('/') + 1) : n;
      const d = Math.min(editDistance(lower, n), editDistance(lower, base));
      const related = n.includes(lower) || lower.includes(base);
      return { name, score: related ? Math.min(d, 1) : d };
    })
    .filter((c) => c.score <= Math.max(3, Math.floor(model.length / 3)))
    .sort((a, b) => a.score - b.score)
    .slice(0, 5)
    .map((c) => c.name);
}
