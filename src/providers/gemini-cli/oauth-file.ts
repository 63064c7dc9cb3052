import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { applyEdits, modify, parse as parseJsonc, type JSONPath } from 'jsonc-parser';
import { GatewayError } from '../../core/errors.ts';

/**
 * Where a Gemini CLI OAuth token lives, and how a refreshed one is written back in the same
 * format, atomically, keeping every field llmux does not own. Two formats exist:
 * - the Gemini CLI's `~/.gemini/oauth_creds.json` (google-auth-library Credentials):
 *   `{access_token, refresh_token, scope, token_type, id_token?, expiry_date: <ms since epoch>}`;
 * - OpenAICompatible's Go `oauth2.Token`, inline in its config.json:
 *   `{access_token, token_type, refresh_token, expiry: <RFC 3339>, expires_in?}`.
 * The format is read from the fields present and kept on write.
 */

export interface OAuthToken {
  accessToken: string;
  refreshToken: string;
  /** ms since epoch; undefined when the token does not say (it is then refreshed only on a 401). */
  expiresAt: number | undefined;
}

/** What Google's token endpoint answered, with the expiry already made absolute. */
export interface RefreshedToken {
  access_token: string;
  expiresAt: number;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  token_type?: string;
}

export interface TokenStore {
  /** Names the token in error messages (a path, or the config field): never its content. */
  readonly label: string;
  load(): Promise<OAuthToken>;
  /** Whether the stored token may differ from the one last loaded (another program refreshed it). */
  changed(): Promise<boolean>;
  save(refreshed: RefreshedToken): Promise<void>;
}

type Json = Record<string, unknown>;

/** A raw token object in either format → the fields llmux uses; undefined when it is not a token. */
export function readToken(raw: unknown): OAuthToken | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const obj = raw as Json;
  const access = obj['access_token'];
  const refresh = obj['refresh_token'];
  if (typeof refresh !== 'string' || refresh === '') return undefined;
  return { accessToken: typeof access === 'string' ? access : '', refreshToken: refresh, expiresAt: readExpiry(obj) };
}

function readExpiry(obj: Json): number | undefined {
  const ms = obj['expiry_date'];
  if (typeof ms === 'number' && Number.isFinite(ms) && ms > 0) return ms;
  if (typeof ms === 'string' && /^\d+$/.test(ms)) return Number(ms);
  const rfc = obj['expiry'];
  if (typeof rfc === 'string') {
    const t = Date.parse(rfc);
    // Go's zero time ("0001-01-01T00:00:00Z") means "does not expire".
    if (Number.isFinite(t) && t > 0) return t;
  }
  return undefined;
}

/**
 * The raw object with the refreshed token applied in the raw object's own format: `expiry_date`
 * in ms for the Gemini CLI's file, `expiry` in RFC 3339 (and `expires_in` when present) for the Go
 * format. Unknown fields are kept as they are.
 */
export function applyRefresh(raw: Json, refreshed: RefreshedToken): Json {
  const out: Json = { ...raw, access_token: refreshed.access_token };
  const goFormat = 'expiry' in raw && !('expiry_date' in raw);
  if (goFormat) {
    out['expiry'] = new Date(refreshed.expiresAt).toISOString();
    if ('expires_in' in raw && refreshed.expires_in !== undefined) out['expires_in'] = refreshed.expires_in;
  } else out['expiry_date'] = refreshed.expiresAt;
  // Google does not rotate refresh tokens today; if it ever does, the new one must be kept.
  if (refreshed.refresh_token !== undefined) out['refresh_token'] = refreshed.refresh_token;
  if (refreshed.id_token !== undefined && (!goFormat || 'id_token' in raw)) out['id_token'] = refreshed.id_token;
  if (refreshed.scope !== undefined && (!goFormat || 'scope' in raw)) out['scope'] = refreshed.scope;
  if (refreshed.token_type !== undefined) out['token_type'] = refreshed.token_type;
  return out;
}

/** `~/x` and relative paths: relative ones resolve against where the user ran llmux. */
export function resolveUserPath(path: string): string {
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1));
  return resolve(process.env['INIT_CWD'] ?? process.cwd(), path);
}

export const DEFAULT_CREDS_FILE = '~/.gemini/oauth_creds.json';

/** The Gemini CLI's credentials file (or any file holding one token object in either format). */
export function fileTokenStore(path: string): TokenStore {
  const file = resolveUserPath(path);
  let seen: { mtimeMs: number; size: number } | undefined;
  /** The object last read, so a file gone missing meanwhile is rewritten whole, refresh token included. */
  let last: Json = {};

  const readRaw = async (): Promise<Json> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new GatewayError('upstream_error', `cannot read the OAuth credentials file ${file} (${code}); log in with the Gemini CLI or set oauth_creds_file`);
    }
    const value: unknown = parseJsonc(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new GatewayError('upstream_error', `the OAuth credentials file ${file} does not hold a JSON object`);
    last = value as Json;
    return last;
  };
  const remember = async (): Promise<void> => {
    const s = await stat(file).catch(() => undefined);
    seen = s === undefined ? undefined : { mtimeMs: s.mtimeMs, size: s.size };
  };

  return {
    label: file,
    async load() {
      const raw = await readRaw();
      await remember();
      const token = readToken(raw);
      if (token === undefined) throw new GatewayError('upstream_error', `the OAuth credentials file ${file} holds no refresh_token`);
      return token;
    },
    async changed() {
      const s = await stat(file).catch(() => undefined);
      if (s === undefined) return false;
      return seen === undefined || s.mtimeMs !== seen.mtimeMs || s.size !== seen.size;
    },
    async save(refreshed) {
      // Re-read first: the Gemini CLI may have written fields of its own since the last load.
      const raw = await readRaw().catch(() => last);
      await writeAtomic(file, `${JSON.stringify(applyRefresh(raw, refreshed), null, 2)}\n`, 0o600);
      await remember();
    },
  };
}

/**
 * A token given inline in the config (OpenAICompatible's `gemini_cli[].token`). When the config says where
 * it came from (`token_location`: a file and the JSON path of the token object inside it), a
 * refreshed token is written back there with a minimal edit, so the file's comments, layout and
 * every other field survive; without a location the refreshed token lives in memory only.
 */
export function inlineTokenStore(raw: Json, label: string, location: { file: string; pointer: ReadonlyArray<string | number> } | undefined): TokenStore {
  let current = raw;
  return {
    label,
    load() {
      const token = readToken(current);
      if (token === undefined) return Promise.reject(new GatewayError('upstream_error', `${label} holds no refresh_token`));
      return Promise.resolve(token);
    },
    changed: () => Promise.resolve(false),
    async save(refreshed) {
      current = applyRefresh(current, refreshed);
      if (location === undefined) return;
      const file = resolveUserPath(location.file);
      const text = await readFile(file, 'utf8');
      const pointer: JSONPath = [...location.pointer];
      // The file's own copy may carry fields this process never saw; keep them too.
      const onDisk = valueAt(parseJsonc(text), pointer);
      const formattingOptions = { insertSpaces: true, tabSize: indentOf(text), eol: text.includes('\r\n') ? '\r\n' : '\n' };
      let next = text;
      if (onDisk !== null && typeof onDisk === 'object' && !Array.isArray(onDisk)) {
        // Field by field, so even comments inside the token object stay where they were.
        const old = onDisk as Json;
        for (const [key, value] of Object.entries(applyRefresh(old, refreshed))) {
          if (JSON.stringify(old[key]) !== JSON.stringify(value)) next = applyEdits(next, modify(next, [...pointer, key], value, { formattingOptions }));
        }
      } else next = applyEdits(next, modify(next, pointer, current, { formattingOptions }));
      const mode = (await stat(file)).mode & 0o777;
      await writeAtomic(file, next, mode);
    },
  };
}

function valueAt(root: unknown, pointer: JSONPath): unknown {
  let node = root;
  for (const key of pointer) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** The indentation the file already uses (two spaces when it cannot tell). */
function indentOf(text: string): number {
  const m = /\n( +)\S/.exec(text);
  return m?.[1] === undefined ? 2 : Math.min(m[1].length, 8);
}

/** Temp file in the same folder, flushed to disk, then renamed over the target: readers see the old or the new file, never half of one. */
export async function writeAtomic(file: string, content: string, mode: number): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
