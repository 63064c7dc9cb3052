/**
 * The admin API as the console sees it: one client that carries the admin key on every call,
 * and readers that turn its JSON into the few shapes the pages draw. A missing or oddly typed
 * field shows as "–" rather than failing a whole page.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export type Query = Record<string, string | number | undefined>;

export function queryString(query: Query | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

export class AdminClient {
  readonly key: string;
  /** Called when the server refuses the key, so the app can ask for another. */
  onUnauthorized: () => void = () => undefined;

  constructor(key: string) {
    this.key = key;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.key}`, ...extra };
  }

  async request(method: string, path: string, query?: Query, body?: unknown): Promise<Response> {
    const init: RequestInit = { method, headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }) };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(`/admin${path}${queryString(query)}`, init);
    if (!res.ok) {
      const message = await errorMessage(res);
      if (res.status === 401 || res.status === 403) this.onUnauthorized();
      throw new ApiError(res.status, message);
    }
    return res;
  }

  async get(path: string, query?: Query): Promise<JsonObject> {
    return asObject(await (await this.request('GET', path, query)).json());
  }

  async send(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<JsonObject> {
    const res = await this.request(method, path, undefined, body);
    if (res.status === 204) return {};
    const text = await res.text();
    return text === '' ? {} : asObject(JSON.parse(text));
  }
}

async function errorMessage(res: Response): Promise<string> {
  try {
    const body = asObject(await res.json());
    const error = asObject(body['error'] ?? null);
    if (typeof error['message'] === 'string') return error['message'];
  } catch {
    // not JSON: fall through to the status line
  }
  return `${res.status} ${res.statusText}`;
}

// ---- readers ----

export function asObject(v: unknown): JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : {};
}

export function asArray(v: unknown): Json[] {
  return Array.isArray(v) ? (v as Json[]) : [];
}

export function num(v: Json | undefined): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

export function str(v: Json | undefined): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return null;
}

/** ISO 8601, epoch seconds or epoch milliseconds -> epoch ms. */
export function toMs(v: Json | undefined): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e11 ? v * 1000 : v;
  if (typeof v === 'string') {
    if (/^\d+(\.\d+)?$/.test(v)) return toMs(Number(v));
    // A bucket like "2026-12-02T14" or "2026-12-02 14:00" is UTC.
    const iso = /^\d{4}-\d\d-\d\d[T ]\d\d$/.test(v) ? `${v.replace(' ', 'T')}:00:00Z` : /^\d{4}-\d\d-\d\d$/.test(v) ? `${v}T00:00:00Z` : v;
    const t = Date.parse(iso);
    return Number.isFinite(t) ? t : null;
  }
  return null;
}

export interface UsageStats {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costUsd: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface UsageRow extends UsageStats {
  group: Record<string, string>;
  /** The bucket's start for `hour`/`day` groupings, epoch ms. */
  bucket: number | null;
}

export interface Usage {
  from: number | null;
  to: number | null;
  rows: UsageRow[];
  totals: UsageStats;
}

export const GROUP_FIELDS = ['key', 'model', 'provider', 'day', 'hour'] as const;

export function readStats(o: JsonObject): UsageStats {
  return {
    requests: num(o['requests']) ?? 0,
    errors: num(o['errors']) ?? 0,
    promptTokens: num(o['prompt_tokens']) ?? 0,
    completionTokens: num(o['completion_tokens']) ?? 0,
    cachedTokens: num(o['cached_tokens']) ?? 0,
    reasoningTokens: num(o['reasoning_tokens']) ?? 0,
    costUsd: num(o['cost_usd']) ?? 0,
    p50Ms: num(o['p50_ms']),
    p95Ms: num(o['p95_ms']),
  };
}

export function readUsage(o: JsonObject): Usage {
  const groupBy = asArray(o['group_by']).map((g) => str(g)).filter((g): g is string => g !== null);
  const rows = asArray(o['rows']).map((r) => {
    const row = asObject(r);
    const group: Record<string, string> = {};
    for (const g of groupBy) group[g] = str(row[g]) ?? '(none)';
    const bucketField = groupBy.includes('hour') ? row['hour'] : groupBy.includes('day') ? row['day'] : undefined;
    return { ...readStats(row), group, bucket: bucketField === undefined ? null : toMs(bucketField) };
  });
  return { from: toMs(o['from']), to: toMs(o['to']), rows, totals: readStats(asObject(o['totals'])) };
}

/** One ledger record: what a request was, without its text. */
export interface LedgerRecord {
  id: string;
  time: number;
  requestId: string;
  /** The key's name, or a virtual key's id; empty without auth. */
  key: string;
  protocol: string;
  route: string;
  model: string;
  provider: string;
  upstreamModel: string;
  status: number;
  errorType: string;
  stream: boolean;
  attempts: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  cachedTokens: number | null;
  reasoningTokens: number | null;
  costUsd: number | null;
  durationMs: number | null;
  ttfbMs: number | null;
  overheadMs: number | null;
}

export function readRecord(v: Json | undefined): LedgerRecord {
  const o = asObject(v);
  return {
    id: str(o['id']) ?? '',
    time: toMs(o['time']) ?? 0,
    requestId: str(o['request_id']) ?? '',
    key: str(o['key']) ?? '',
    protocol: str(o['client_protocol']) ?? '',
    route: str(o['route']) ?? '',
    model: str(o['model']) ?? '',
    provider: str(o['provider']) ?? '',
    upstreamModel: str(o['upstream_model']) ?? '',
    status: num(o['status']) ?? 0,
    errorType: str(o['error_type']) ?? '',
    stream: o['stream'] === true,
    attempts: num(o['attempts']),
    promptTokens: num(o['prompt_tokens']),
    completionTokens: num(o['completion_tokens']),
    cachedTokens: num(o['cached_tokens']),
    reasoningTokens: num(o['reasoning_tokens']),
    costUsd: num(o['cost_usd']),
    durationMs: num(o['duration_ms']),
    ttfbMs: num(o['ttfb_ms']),
    overheadMs: num(o['overhead_ms']),
  };
}

export interface Budget {
  usd: number;
  period: string;
}

export interface KeyInfo {
  id: string;
  name: string;
  source: 'config' | 'virtual';
  last4: string;
  /** Empty: every model. */
  models: string[];
  rpm: number | null;
  tpm: number | null;
  budget: Budget | null;
  spendUsd: number | null;
  expiresAt: number | null;
  createdAt: number | null;
}

export function readKey(v: Json | undefined): KeyInfo {
  const o = asObject(v);
  const b = asObject(o['budget'] ?? null);
  const usd = num(b['usd']);
  return {
    id: str(o['id']) ?? '',
    name: str(o['name']) ?? '',
    source: o['source'] === 'config' ? 'config' : 'virtual',
    last4: str(o['last4']) ?? '',
    models: asArray(o['models']).map((m) => str(m)).filter((m): m is string => m !== null),
    rpm: num(o['rpm']),
    tpm: num(o['tpm']),
    budget: usd === null ? null : { usd, period: str(b['period']) ?? 'total' },
    spendUsd: num(o['spend_usd']),
    expiresAt: toMs(o['expires_at']),
    createdAt: toMs(o['created_at']),
  };
}

export type CircuitState = 'closed' | 'half-open' | 'open' | 'unknown';

export interface ProviderInfo {
  name: string;
  type: string;
  baseUrl: string;
  state: CircuitState;
  reason: string;
  models: string[];
  inflight: number | null;
  lastError: string;
  p50Ms: number | null;
}

export function readCircuit(v: Json | undefined): CircuitState {
  return v === 'closed' || v === 'half-open' || v === 'open' ? v : 'unknown';
}

export function readProvider(v: Json | undefined): ProviderInfo {
  const o = asObject(v);
  const circuit = asObject(o['circuit'] ?? null);
  const lastError = asObject(o['last_error'] ?? null);
  return {
    name: str(o['name']) ?? '',
    type: str(o['type']) ?? '',
    baseUrl: str(o['base_url']) ?? '',
    state: readCircuit(circuit['state']),
    reason: str(circuit['reason']) ?? '',
    models: asArray(o['models']).map((m) => str(m)).filter((m): m is string => m !== null),
    inflight: num(o['inflight']),
    lastError: str(lastError['message']) ?? '',
    p50Ms: num(o['p50_ms']),
  };
}
