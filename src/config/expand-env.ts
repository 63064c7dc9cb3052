/**
 * `${VAR}` and `${VAR:-default}` in every string of a parsed config tree. `$${` escapes a literal `${`.
 * A variable that is unset (and has no default) is reported, so a typo in a key name does not
 * silently become an empty credential.
 */
export interface ExpandResult {
  value: unknown;
  missing: Array<{ path: string; name: string }>;
}

const PATTERN = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;


export function expandEnv(tree: unknown, env: Record<string, string | undefined>): ExpandResult {
  const missing: ExpandResult['missing'] = [];
  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('${')) return node;
      const replaced = node.replace(PATTERN, (whole, escaped: string | undefined, name: string, fallback: string | undefined) => {
        if (escaped !== undefined) return whole.slice(1);
        const v = env[name];
        if (v !== undefined && v !== '') return v;
        if (fallback !== undefined) return fallback;
        missing.push({ path, name });
        return '';
      });
      return replaced;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${path}[${i}]`));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = walk(v, path === '' ? k : `${path}.${k}`);
      return out;
    }
    return node;
  };
  return { value: walk(tree, ''), missing };
}
