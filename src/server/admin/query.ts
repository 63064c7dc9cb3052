import { parseDuration } from '../../config/units.ts';
import { invalidRequest } from '../../core/errors.ts';
import { GROUP_FIELDS, type GroupField } from '../../ledger/store.ts';

export type QueryParams = Record<string, string | string[] | undefined>;

const DAY_MS = 86_400_000;

/** One value of a query parameter; a repeated parameter is a 400 rather than a silent pick. */
export function param(query: QueryParams, name: string): string | undefined {
  const v = query[name];
  if (Array.isArray(v)) throw invalidRequest(`'${name}' is given more than once.`, name);
  return v === undefined || v === '' ? undefined : v;
}

/** ISO 8601, epoch ms, or a duration back from now (`24h`, `7d`, `30m`). */
export function parseInstant(value: string, name: string, now: number): number {
  if (/^\d{12,}$/.test(value)) return Number(value);
  const back = /^\d+(\.\d+)?(ms|s|m|h|d)$/.test(value) ? parseDuration(value) : undefined;
  if (back !== undefined) return now - back;
  const t = Date.parse(value);
  if (Number.isFinite(t)) return t;
  throw invalidRequest(`'${name}' must be an ISO 8601 time (2026-12-01T00:00:00Z) or a duration back from now (24h, 7d); got "${value}".`, name);
}

/** `from`/`to`; the default is the last 24 hours. */
export function parseRange(query: QueryParams, now: number): { from: number; to: number } {
  const toRaw = param(query, 'to');
  const fromRaw = param(query, 'from');
  const to = toRaw === undefined ? now : parseInstant(toRaw, 'to', now);
  const from = fromRaw === undefined ? to - DAY_MS : parseInstant(fromRaw, 'from', now);
  if (from >= to) throw invalidRequest(`'from' must be before 'to'.`, 'from');
  return { from, to };
}

export function parseGroupBy(query: QueryParams): GroupField[] {
  const raw = param(query, 'group_by');
  if (raw === undefined) return [];
  const fields = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const f of fields) {
    if (!(GROUP_FIELDS as readonly string[]).includes(f)) throw invalidRequest(`'group_by' accepts ${GROUP_FIELDS.join(', ')}; got "${f}".`, 'group_by');
  }
  return [...new Set(fields)] as GroupField[];
}

export function parseLimit(query: QueryParams, fallback: number, max: number): number {
  const raw = param(query, 'limit');
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw invalidRequest(`'limit' must be a whole number from 1 to ${max}; got "${raw}".`, 'limit');
  return n;
}

export function parseStatus(query: QueryParams): string | undefined {
  const raw = param(query, 'status');
  if (raw === undefined) return undefined;
  if (/^[1-5]\d\d$/.test(raw) || /^[1-5]xx$/i.test(raw) || raw === 'error') return raw.toLowerCase();
  throw invalidRequest(`'status' must be a status (429), a class (5xx) or "error"; got "${raw}".`, 'status');
}

export function filtersOf(query: QueryParams): { key: string | undefined; model: string | undefined; provider: string | undefined } {
  return { key: param(query, 'key'), model: param(query, 'model'), provider: param(query, 'provider') };
}
