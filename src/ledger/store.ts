import type { Budget } from '../config/schema.ts';
import type { UsageRecord } from './record.ts';

export const GROUP_FIELDS = ['key', 'model', 'provider', 'day', 'hour'] as const;
export type GroupField = (typeof GROUP_FIELDS)[number];

export interface UsageFilter {
  key?: string | undefined;
  model?: string | undefined;
  provider?: string | undefined;
}

export interface UsageQuery extends UsageFilter {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  groupBy: readonly GroupField[];
}

/** Sums over a set of records, with the latency histogram the percentiles are read from. */
export interface Aggregate {
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  /** Request counts per latency bucket (LATENCY_BOUNDS_MS). */
  hist: number[];
}

/** One group of an aggregation: the group's field values (null for requests without one) and its sums. */
export interface AggregateRow {
  group: Record<string, string | number | null>;
  sums: Aggregate;
}

export interface RequestsQuery extends UsageFilter {
  limit: number;
  /** Only records with a smaller id (the next page). */
  before?: string | undefined;
  /** Only records with this id or a larger one (a time range's start, as an id). */
  since?: string | undefined;
  /** An exact status, a class (`4xx`), or `error` (>= 400). */
  status?: string | undefined;
}

export type BudgetPeriod = Budget['period'];

/** A virtual key as stored: its secret only as a SHA-256 digest. */
export interface VirtualKeyRow {
  id: string;
  name: string;
  digest: string;
  last4: string;
  models: string[] | null;
  rpm: number | null;
  tpm: number | null;
  budget: Budget | null;
  /** Epoch ms, or null for never. */
  expires_at: number | null;
  created_at: number;
}

export type VirtualKeyPatch = Partial<Pick<VirtualKeyRow, 'models' | 'rpm' | 'tpm' | 'budget' | 'expires_at'>>;

/** Spend per key since the start of each current period, in USD. */
export interface PeriodSpend {
  day: number;
  week: number;
  month: number;
  total: number;
}

export interface PeriodStarts {
  day: number;
  week: number;
  month: number;
}

/**
 * Where the ledger lives: an embedded SQLite file or a shared PostgreSQL. Both speak the same SQL
 * (plain INSERT, ON CONFLICT upserts, GROUP BY on integer columns) and pass one test suite.
 */
export interface LedgerStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or migrates the schema. Throws when the store cannot be reached. */
  open(): Promise<void>;
  /** Writes the records, their hourly rollups and their keys' spend in one transaction. */
  insert(records: readonly UsageRecord[]): Promise<void>;
  aggregate(query: UsageQuery): Promise<AggregateRow[]>;
  requests(query: RequestsQuery): Promise<UsageRecord[]>;
  /** Spend of each key in the current periods (from the per-day spend table, never the raw records). */
  spend(keys: readonly string[], starts: PeriodStarts): Promise<Map<string, PeriodSpend>>;
  /** Deletes up to `batch` records older than `before`; returns how many went. */
  deleteOlderThan(before: number, batch: number): Promise<number>;
  listVirtualKeys(): Promise<VirtualKeyRow[]>;
  createVirtualKey(row: VirtualKeyRow): Promise<void>;
  /** Returns the changed row, or undefined when there is no such key. */
  updateVirtualKey(id: string, patch: VirtualKeyPatch): Promise<VirtualKeyRow | undefined>;
  /** Returns whether a key was revoked. */
  revokeVirtualKey(id: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Upper bounds (ms) of the latency buckets; the last bucket is everything slower. */
export const LATENCY_BOUNDS_MS = [
  1, 2, 3, 5, 7.5, 10, 15, 25, 40, 60, 100, 150, 250, 400, 600, 1000, 1500, 2500, 4000, 6000, 10_000, 15_000, 30_000, 60_000, 120_000,
] as const;
export const HIST_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

export function bucketOf(ms: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) if (ms <= (LATENCY_BOUNDS_MS[i] ?? 0)) return i;
  return LATENCY_BOUNDS_MS.length;
}

/** A percentile read from the histogram, interpolated inside its bucket. */
export function percentile(hist: readonly number[], q: number): number {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    const n = hist[i] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const lo = i === 0 ? 0 : (LATENCY_BOUNDS_MS[i - 1] ?? 0);
      const hi = LATENCY_BOUNDS_MS[i] ?? lo * 2;
      return Math.round((lo + ((hi - lo) * (rank - seen)) / n) * 100) / 100;
    }
    seen += n;
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1] ?? 0;
}

export function emptyAggregate(): Aggregate {
  return { requests: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, reasoning_tokens: 0, cost_usd: 0, hist: new Array<number>(HIST_BUCKETS).fill(0) };
}

export function addAggregate(into: Aggregate, from: Aggregate): void {
  into.requests += from.requests;
  into.errors += from.errors;
  into.prompt_tokens += from.prompt_tokens;
  into.completion_tokens += from.completion_tokens;
  into.cached_tokens += from.cached_tokens;
  into.reasoning_tokens += from.reasoning_tokens;
  into.cost_usd += from.cost_usd;
  for (let i = 0; i < HIST_BUCKETS; i++) into.hist[i] = (into.hist[i] ?? 0) + (from.hist[i] ?? 0);
}

const DAY_MS = 86_400_000;

/** The starts of the current calendar-UTC day, ISO week (Monday) and month. */
export function periodStarts(now: number): PeriodStarts {
  const d = new Date(now);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const weekday = (d.getUTCDay() + 6) % 7;
  return { day, week: day - weekday * DAY_MS, month: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) };
}
