/** `gpt-4o*`, `claude-?-opus`, `*`: shell-style globs over model names, compiled once. */
export interface Glob {
  readonly source: string;
  readonly isPattern: boolean;
  test(name: string): boolean;
}

export function compileGlob(source: string): Glob {
  if (!source.includes('*') && !source.includes('?')) {
    return { source, isPattern: false, test: (name) => name === source };
  }
  if (source === '*') return { source, isPattern: true, test: () => true };
  // The common shapes, `gpt-4o*` and `*-mini`, without a RegExp: a RegExp object per glob is
  // memory that adds up with thousands of keys, each with its allow-list.
  const star = source.indexOf('*');
  if (!source.includes('?') && star === source.lastIndexOf('*')) {
    if (star === source.length - 1) {
      const prefix = source.slice(0, -1);
      return { source, isPattern: true, test: (name) => name.startsWith(prefix) };
    }
    if (star === 0) {
      const suffix = source.slice(1);
      return { source, isPattern: true, test: (name) => name.endsWith(suffix) };
    }
  }
  const body = source.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = new RegExp(`^${body}$`);
  return { source, isPattern: true, test: (name) => re.test(name) };
}

export function matchesAny(globs: readonly Glob[], name: string): boolean {
  for (const g of globs) if (g.test(name)) return true;
  return false;
}
