import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import type { LedgerStore } from '../ledger/store.ts';
import type { CliArgs } from './parse-args.ts';

/**
 * The ledger the config names, opened from the terminal without a server: the SQLite file
 * directly (WAL lets a running gateway keep writing), or the shared PostgreSQL.
 * Returns an exit code when it cannot be opened.
 */
export async function openLedger(args: CliArgs, env: NodeJS.ProcessEnv, cwd: string, out: Writable, options: { create: boolean }): Promise<{ store: LedgerStore; config: Config } | number> {
  const loaded = loadConfig({ cli: args, env, cwd });
  if (!loaded.ok) {
    out.write(`${loaded.errors.map((e) => `error: ${e}`).join('\n')}\n`);
    return 1;
  }
  const { usage } = loaded.config;
  let store: LedgerStore;
  if (usage.store === 'off') {
    out.write('error: the usage ledger is off (usage.store: off)\n');
    return 1;
  } else if (usage.store === 'postgres') {
    const { PostgresStore } = await import('../ledger/postgres-store.ts');
    store = new PostgresStore(usage.postgres_url ?? '');
  } else {
    if (!options.create && !existsSync(usage.path)) {
      out.write(`no usage ledger at ${usage.path} yet (it is made when the gateway serves its first request)\n`);
      return 1;
    }
    const { SqliteStore } = await import('../ledger/sqlite-store.ts');
    store = new SqliteStore(usage.path);
  }
  try {
    await store.open();
  } catch (error) {
    out.write(`error: cannot open the usage ledger (${usage.store}): ${(error as Error).message.replace(/[a-z][a-z0-9+.-]*:\/\/\S*/gi, '<url>')}\n`);
    await store.close().catch(() => undefined);
    return 1;
  }
  return { store, config: loaded.config };
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, numeric: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
