/**
 * Smooth weighted round-robin, the nginx algorithm: every pick adds each weight to its running
 * score, takes the highest score and subtracts the total from it. It is deterministic and spreads
 * picks evenly (weights 5:1:1 give a a b a c a a), so no target gets a burst.
 * @see https://github.com/phusion/nginx/commit/27e94984486058d73157038f7950a0a36ecc6e35
 */
export interface Balancer {
  /** Index of the next target; `eligible` narrows the choice (open circuits, targets already tried). */
  pick(eligible?: (index: number) => boolean): number | undefined;
}

export function createBalancer(weights: readonly number[]): Balancer {
  const current = new Array<number>(weights.length).fill(0);
  return {
    pick(eligible) {
      let best = -1;
      let total = 0;
      for (let i = 0; i < weights.length; i++) {
        if (eligible !== undefined && !eligible(i)) continue;
        const w = weights[i] ?? 0;
        const score = (current[i] ?? 0) + w;
        current[i] = score;
        total += w;
        if (best === -1 || score > (current[best] ?? 0)) best = i;
      }
      if (best === -1) return undefined;
      current[best] = (current[best] ?? 0) - total;
      return best;
    },
  };
}
