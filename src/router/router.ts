import { createBalancer, type Balancer } from './balancer.ts';
import type { Route, Target } from './catalog.ts';

const MAX_BALANCERS = 10_000;

/**
 * Balancer state per route, bounded: with a `"*"` provider any model name a client sends is a
 * route, so the map evicts its oldest entry past MAX_BALANCERS.
 */
export class TargetPicker {
  readonly #balancers = new Map<string, { targets: readonly Target[]; balancer: Balancer }>();

  pick(route: Route, eligible: (target: Target) => boolean): Target | undefined {
    const { targets } = route;
    if (targets.length === 1) {
      const only = targets[0];
      return only !== undefined && eligible(only) ? only : undefined;
    }
    let entry = this.#balancers.get(route.key);
    if (entry === undefined || !sameTargets(entry.targets, targets)) {
      if (this.#balancers.size >= MAX_BALANCERS) {
        const oldest = this.#balancers.keys().next();
        if (oldest.done !== true) this.#balancers.delete(oldest.value);
      }
      entry = { targets, balancer: createBalancer(targets.map((t) => t.weight)) };
      this.#balancers.set(route.key, entry);
    }
    const index = entry.balancer.pick((i) => {
      const t = targets[i];
      return t !== undefined && eligible(t);
    });
    return index === undefined ? undefined : targets[index];
  }
}

function sameTargets(a: readonly Target[], b: readonly Target[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined || x.provider !== y.provider || x.upstreamModel !== y.upstreamModel || x.weight !== y.weight) return false;
  }
  return true;
}
