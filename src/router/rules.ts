import { isObject } from '../core/json.ts';
import type { ModelRule } from '../config/schema.ts';
import { compileGlob, type Glob } from './glob.ts';

/**
 * `model_rules` (llm-relay): first match wins; `default` applies when no other rule of the same
 * phase matched; a matched rule applies unset → set → extra. Rules without `match_provider` run
 * before routing (their `set.model` renames the requested model); rules with it run on the body
 * sent to that provider (their `set.model` names the upstream model).
 */
export interface CompiledRule {
  readonly glob: Glob;
  readonly isDefault: boolean;
  readonly provider: string | undefined;
  readonly unset: readonly string[];
  readonly set: Readonly<Record<string, unknown>>;
  readonly extra: Readonly<Record<string, unknown>>;
  /** `set.model`, kept apart because the model is a routing decision, not just a body field. */
  readonly model: string | undefined;
}

export interface RuleSet {
  /** Phase 1: matched against the model the client sent. */
  beforeRouting(model: string): CompiledRule | undefined;
  /** Phase 2: matched against the chosen provider and the public or upstream model name. */
  forProvider(provider: string, publicModel: string, upstreamModel: string): CompiledRule | undefined;
}

/** Model names whose phase-1 rule is remembered; past it the oldest is forgotten (any name a client sends is one). */
export const MAX_REMEMBERED = 10_000;
const MAX_REMEMBERED_LENGTH = 256;

export function compileRules(rules: readonly ModelRule[]): RuleSet {
  const compiled = rules.map((r): CompiledRule => {
    const set = { ...(r.set ?? {}) };
    const model = typeof set['model'] === 'string' ? set['model'] : undefined;
    delete set['model'];
    return {
      glob: compileGlob(r.match_model),
      isDefault: r.match_model === 'default',
      provider: r.match_provider,
      unset: r.unset ?? [],
      set,
      extra: r.extra ?? {},
      model,
    };
  });
  const global = compiled.filter((r) => r.provider === undefined && !r.isDefault);
  const globalDefault = compiled.find((r) => r.provider === undefined && r.isDefault);
  // Provider rules grouped by provider: a request looks only at its provider's.
  const scoped = new Map<string, CompiledRule[]>();
  for (const r of compiled) {
    if (r.provider === undefined) continue;
    const list = scoped.get(r.provider);
    if (list === undefined) scoped.set(r.provider, [r]);
    else list.push(r);
  }
  // The first-match scan costs a glob test per rule (about 7 µs a request with 200 rules); its
  // answer depends only on the model name, so it is remembered per name, for a bounded number of names.
  const seen = new Map<string, CompiledRule | null>();
  return {
    beforeRouting(model) {
      const known = seen.get(model);
      if (known !== undefined) return known ?? undefined;
      let found = globalDefault;
      for (const r of global) {
        if (r.glob.test(model)) {
          found = r;
          break;
        }
      }
      // A name is what a client sent: only names of a sensible length are kept.
      if (model.length <= MAX_REMEMBERED_LENGTH) {
        if (seen.size >= MAX_REMEMBERED) seen.delete(seen.keys().next().value as string);
        seen.set(model, found ?? null);
      }
      return found;
    },
    forProvider(provider, publicModel, upstreamModel) {
      let fallback: CompiledRule | undefined;
      for (const r of scoped.get(provider) ?? []) {
        if (r.isDefault) fallback ??= r;
        else if (r.glob.test(publicModel) || r.glob.test(upstreamModel)) return r;
      }
      return fallback;
    },
  };
}

/** Applies a rule's body changes in place: unset → set → extra (deep merge). `model` is left to the caller. */
export function applyRuleToBody(rule: CompiledRule, body: Record<string, unknown>): void {
  for (const path of rule.unset) unsetPath(body, path);
  for (const [key, value] of Object.entries(rule.set)) body[key] = structuredClone(value);
  deepMerge(body, rule.extra);
}

function deepMerge(target: Record<string, unknown>, source: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isObject(value) && isObject(existing)) deepMerge(existing, value);
    else target[key] = structuredClone(value);
  }
}

/**
 * Removes a top-level key, or a nested one named by a dotted path (`generationConfig.topK`): the
 * hints clients always send often sit inside an object. A top-level key that itself contains a dot
 * wins over the path reading. A path through something that is not an object removes nothing.
 */
function unsetPath(body: Record<string, unknown>, path: string): void {
  if (Object.hasOwn(body, path)) {
    delete body[path];
    return;
  }
  const keys = path.split('.');
  const last = keys.pop();
  let node: unknown = body;
  for (const key of keys) {
    if (!isObject(node)) return;
    node = node[key];
  }
  if (isObject(node) && last !== undefined) delete node[last];
}
