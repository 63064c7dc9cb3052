import { randomBytes } from 'node:crypto';
import type { RequestOutcome } from '../observability/outcome.ts';

/**
 * One row of the usage ledger: what a request was and what it cost, never what it said. No prompt
 * or answer text and no credential: `key` is the key's name from the config, or a virtual key's id.
 * Field names are the admin API's (snake_case), so a row travels to JSON and CSV as it is.
 */
export interface UsageRecord {
  /** Time-ordered: ids sort as the records were made, so pages are cut by id alone. */
  id: string;
  /** Epoch ms when the request arrived. */
  time: number;
  request_id: string;
  key: string | null;
  client_protocol: string | null;
  route: string;
  model: string | null;
  provider: string | null;
  upstream_model: string | null;
  status: number;
  error_type: string | null;
  stream: boolean;
  attempts: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  /** False when no price was known for the model: cost_usd is then 0, not a guess. */
  priced: boolean;
  duration_ms: number;
  ttfb_ms: number | null;
  overhead_ms: number | null;
}

/** The columns in storage and CSV order. */
export const RECORD_COLUMNS = [
  'id',
  'time',
  'request_id',
  'key',
  'client_protocol',
  'route',
  'model',
  'provider',
  'upstream_model',
  'status',
  'error_type',
  'stream',
  'attempts',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'reasoning_tokens',
  'cost_usd',
  'priced',
  'duration_ms',
  'ttfb_ms',
  'overhead_ms',
] as const satisfies ReadonlyArray<keyof UsageRecord>;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Distinguishes processes (replicas, cluster workers) that make ids in the same millisecond. */
const NODE_PART = encode(randomBytes(5).readUIntBE(0, 5), 8);
let lastMs = 0;
let seq = 0;

function encode(value: number, width: number): string {
  let out = '';
  let v = value;
  for (let i = 0; i < width; i++) {
    out = CROCKFORD[v % 32] + out;
    v = Math.floor(v / 32);
  }
  return out;
}

/**
 * A ULID-like id: 10 characters of milliseconds, 8 of this process, 8 of a counter. Strictly
 * increasing within a process, roughly time-ordered across processes, fixed width so string order
 * is time order.
 */
export function newRecordId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    seq = 0;
  } else seq++;
  return `${encode(lastMs, 10)}${NODE_PART}${encode(seq, 8)}`;
}

/** The smallest id made at or after `ms`: the lower bound of a time range in id order. */
export function idAtTime(ms: number): string {
  return `${encode(Math.max(0, Math.floor(ms)), 10)}${'0'.repeat(16)}`;
}

/** Whether an outcome belongs in the ledger: requests to the model routes, never the ops or admin routes. */
export function isLedgerRoute(route: string, path: string): boolean {
  if (route === '/health' || route === '/ready' || route === '/metrics') return false;
  const p = route === 'unknown' ? path : route;
  return !(p.startsWith('/admin') || p.startsWith('/dashboard'));
}

export interface Cost {
  usd: number;
  priced: boolean;
}

/** The ledger's row for one outcome, with the cost already worked out. */
export function recordFromOutcome(o: RequestOutcome, cost: Cost): UsageRecord {
  const u = o.usage;
  return {
    id: newRecordId(),
    time: Math.floor(o.time),
    request_id: o.reqId,
    key: o.key ?? null,
    client_protocol: o.clientProtocol ?? null,
    route: o.route,
    model: o.model ?? null,
    provider: o.provider ?? null,
    upstream_model: o.upstreamModel ?? null,
    status: o.status,
    error_type: o.errorCode ?? (o.status === 499 ? 'client_closed' : null),
    stream: o.stream,
    attempts: o.attempts,
    prompt_tokens: u?.promptTokens ?? 0,
    completion_tokens: u?.completionTokens ?? 0,
    cached_tokens: u?.cachedTokens ?? 0,
    reasoning_tokens: u?.reasoningTokens ?? 0,
    cost_usd: cost.usd,
    priced: cost.priced,
    duration_ms: round(o.durationMs),
    ttfb_ms: o.ttfbMs === undefined ? null : round(o.ttfbMs),
    overhead_ms: o.overheadMs === undefined ? null : round(o.overheadMs),
  };
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
