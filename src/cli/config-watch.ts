import { basename, dirname, resolve } from 'node:path';
import type { Config } from '../config/schema.ts';

/** What SQLite writes beside its database: the write-ahead log, its index, the rollback journal. */
const SQLITE_SIDE_FILES = ['', '-wal', '-shm', '-journal'];

/**
 * Which change events in the config file's folder are llmux's own writes, never a config edit.
 * The usage ledger's SQLite file sits in the folder llmux was started from, which is usually the
 * config's: each flush (every second under traffic) would otherwise make the watcher read and hash
 * the whole config twice, a cost that grows with the config (10,000 keys are megabytes).
 * Only names known to be the ledger's are skipped; any other name, or none, still leads to a read.
 */
export function ownWrites(configPath: string, usage: Config['usage']): (filename: string | null) => boolean {
  if (usage.store !== 'sqlite' || usage.path === ':memory:') return () => false;
  const ledger = resolve(usage.path);
  if (dirname(ledger) !== dirname(resolve(configPath))) return () => false;
  const config = basename(configPath);
  const names = new Set(SQLITE_SIDE_FILES.map((suffix) => basename(ledger) + suffix));
  names.delete(config);
  return (filename) => filename !== null && names.has(filename);
}
