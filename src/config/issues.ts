import type { z } from 'zod';
import { closest } from '../core/did-you-mean.ts';

/** `["providers", 2, "base_url"]` → `providers[2].base_url`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const key = String(part);
      out += /^[A-Za-z_][\w-]*$/.test(key) ? (out === '' ? key : `.${key}`) : `[${JSON.stringify(key)}]`;
    }
  }
  return out === '' ? '(root)' : out;
}

/** Every zod issue as `path: message`, unknown keys with a did-you-mean from the schema's own keys. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(schema, issue.path);
      for (const key of issue.keys) {
        const guess = closest(key, known);
        const path = formatPath([...issue.path, key]);
        lines.push(`${path}: unknown key${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`);
      }
      continue;
    }
    lines.push(`${formatPath(issue.path)}: ${friendlyMessage(issue)}`);
  }
  return lines;
}

function friendlyMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    return issue.message.includes('received undefined') ? 'is required' : `must be ${article(issue.expected)} (${issue.message.replace(/^Invalid input: /, '')})`;
  }
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return issue.message;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

interface Def {
  type?: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  in?: unknown;
  element?: unknown;
  valueType?: unknown;
  options?: unknown[];
}

function defOf(schema: unknown): Def | undefined {
  const zod = (schema as { _zod?: { def?: Def } } | undefined)?._zod;
  return zod?.def;
}

/** The keys an object schema allows at `path`, looking through wrappers, arrays, records and unions. */
function keysAt(schema: unknown, path: ReadonlyArray<PropertyKey>): string[] {
  let nodes: unknown[] = [schema];
  for (let depth = 0; depth <= path.length; depth++) {
    nodes = nodes.flatMap(unwrap);
    if (depth === path.length) break;
    const step = path[depth];
    nodes = nodes.flatMap((n) => {
      const def = defOf(n);
      if (def === undefined) return [];
      if (def.type === 'object' && typeof step === 'string') return def.shape?.[step] === undefined ? [] : [def.shape[step]];
      if (def.type === 'array') return [def.element];
      if (def.type === 'record') return [def.valueType];
      return [];
    });
  }
  return nodes.flatMap((n) => Object.keys(defOf(n)?.shape ?? {}));
}

function unwrap(schema: unknown): unknown[] {
  const def = defOf(schema);
  if (def === undefined) return [];
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'readonly':
      return unwrap(def.innerType);
    case 'pipe':
      return unwrap(def.in);
    case 'union':
      return (def.options ?? []).flatMap(unwrap);
    default:
      return [schema];
  }
}
