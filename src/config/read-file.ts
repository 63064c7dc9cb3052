import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';

/** Config files are small; a bigger one is a mistake (or an attack) that must not exhaust memory. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/**
 * Why `path` may not be read as a config file, or undefined. A FIFO (or a device) would block the
 * read forever, and with it the serving thread; stat does not open the file, so it never blocks.
 */
export function unreadableReason(info: { isFile(): boolean; size: number }): string | undefined {
  if (!info.isFile()) return 'not a regular file';
  if (info.size > MAX_CONFIG_BYTES) return `larger than ${MAX_CONFIG_BYTES} bytes`;
  return undefined;
}

/** The synchronous check before the start-up read. */
export function checkConfigFileSync(path: string): string | undefined {
  try {
    return unreadableReason(statSync(path));
  } catch {
    // The read that follows reports the missing file in its own words.
    return undefined;
  }
}

/** The digest of the file as it is now (the one just loaded at start), or undefined. */
export function configDigestSync(path: string): string | undefined {
  try {
    if (checkConfigFileSync(path) !== undefined) return undefined;
    return createHash('sha256').update(readFileSync(path, 'utf8')).digest('hex');
  } catch {
    return undefined;
  }
}

export type StableRead = { ok: true; text: string; digest: string } | { ok: false; error: string };

async function readOnce(path: string): Promise<StableRead> {
  try {
    const why = unreadableReason(await stat(path));
    if (why !== undefined) return { ok: false, error: `${path}: ${why}` };
    const text = await readFile(path, 'utf8');
    if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) return { ok: false, error: `${path}: larger than ${MAX_CONFIG_BYTES} bytes` };
    return { ok: true, text, digest: createHash('sha256').update(text).digest('hex') };
  } catch (error) {
    return { ok: false, error: `${path}: cannot read config file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
}

/**
 * Reads a config file for a reload, off the serving thread and only once it has settled: the same
 * content on two reads `settleMs` apart (an editor or a `>` redirect writes in steps; a half-written
 * file must never be applied). Gives up after `attempts` tries.
 */
export async function readSettledConfig(path: string, settleMs = 150, attempts = 10): Promise<StableRead> {
  let previous = await readOnce(path);
  if (attempts === 0) return previous;
  for (let i = 0; i < attempts; i++) {
    await new Promise((r) => setTimeout(r, settleMs));
    const next = await readOnce(path);
    // A file that cannot be read may be mid-rename: try again, and report it if it stays so.
    if (next.ok && previous.ok && previous.digest === next.digest) return next;
    previous = next;
  }
  return previous.ok ? { ok: false, error: `${path}: still changing after ${attempts + 1} reads ${settleMs} ms apart` } : previous;
}
