import { RECORD_COLUMNS, type UsageRecord } from './record.ts';
import { addAggregate, bucketOf, emptyAggregate, HIST_BUCKETS, LATENCY_BOUNDS_MS, type Aggregate, type AggregateRow, type GroupField, type RequestsQuery, type UsageFilter, type UsageQuery } from './store.ts';

/**
 * The SQL both stores run. It stays in the common subset of SQLite and PostgreSQL: integer epoch
 * ms instead of timestamps, 0/1 instead of booleans, `INSERT ... ON CONFLICT DO UPDATE` for rollups.
 * Only the placeholders differ (`?` and `$1`).
 */
export type Placeholder = (index: number) => string;
export const sqlitePlaceholder: Placeholder = () => '?';
export const postgresPlaceholder: Placeholder = (i) => `$${i}`;

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const HIST_COLUMNS = Array.from({ length: HIST_BUCKETS }, (_, i) => `h${String(i).padStart(2, '0')}`);
const SUM_COLUMNS = ['requests', 'errors', 'prompt_tokens', 'completion_tokens', 'cached_tokens', 'reasoning_tokens', 'cost_usd'] as const;

/** Version 1: the first ledger (records only). Kept to migrate from, and to test that migration. */
export function schemaV1(rowidSuffix: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS usage_records (
      id TEXT PRIMARY KEY, time BIGINT NOT NULL, request_id TEXT NOT NULL, key TEXT, client_protocol TEXT, route TEXT NOT NULL,
      model TEXT, provider TEXT, upstream_model TEXT, status INTEGER NOT NULL, error_type TEXT, stream SMALLINT NOT NULL,
      attempts INTEGER NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL,
      cost_usd DOUBLE PRECISION NOT NULL, duration_ms DOUBLE PRECISION NOT NULL, ttfb_ms DOUBLE PRECISION
    )${rowidSuffix}`,
    'CREATE INDEX IF NOT EXISTS usage_records_time ON usage_records (time)',
  ];
}

/**
 * Version 2: reasoning tokens, the priced flag and the gateway overhead on each record; hourly
 * rollups so that long ranges never scan raw records; spend per key and day for budgets; virtual
 * keys. The rollups are rebuilt from the records already there, so history is kept whole.
 */
export function schemaV2(): string[] {
  const hist = HIST_COLUMNS.map((c) => `${c} BIGINT NOT NULL DEFAULT 0`).join(', ');
  return [
    'ALTER TABLE usage_records ADD COLUMN reasoning_tokens BIGINT NOT NULL DEFAULT 0',
    'ALTER TABLE usage_records ADD COLUMN priced SMALLINT NOT NULL DEFAULT 1',
    'ALTER TABLE usage_records ADD COLUMN overhead_ms DOUBLE PRECISION',
    'CREATE INDEX IF NOT EXISTS usage_records_key_id ON usage_records (key, id)',
    'CREATE INDEX IF NOT EXISTS usage_records_model_id ON usage_records (model, id)',
    `CREATE TABLE IF NOT EXISTS usage_hourly (
      hour BIGINT NOT NULL, key TEXT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL,
      requests BIGINT NOT NULL, errors BIGINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL,
      cached_tokens BIGINT NOT NULL, reasoning_tokens BIGINT NOT NULL, cost_usd DOUBLE PRECISION NOT NULL, ${hist},
      PRIMARY KEY (hour, key, model, provider)
    )`,
    'CREATE INDEX IF NOT EXISTS usage_hourly_key ON usage_hourly (key, hour)',
    `CREATE TABLE IF NOT EXISTS key_spend (key TEXT NOT NULL, day BIGINT NOT NULL, cost_usd DOUBLE PRECISION NOT NULL, PRIMARY KEY (key, day))`,
    `CREATE TABLE IF NOT EXISTS virtual_keys (
      id TEXT PRIMARY KEY, name TEXT NOT NULL, digest TEXT NOT NULL UNIQUE, last4 TEXT NOT NULL, models TEXT,
      rpm INTEGER, tpm INTEGER, budget_usd DOUBLE PRECISION, budget_period TEXT, expires_at BIGINT,
      created_at BIGINT NOT NULL, revoked_at BIGINT
    )`,
    `INSERT INTO usage_hourly (hour, key, model, provider, ${SUM_COLUMNS.join(', ')}, ${HIST_COLUMNS.join(', ')})
      SELECT ${hourOf('time')}, COALESCE(key, ''), COALESCE(model, ''), COALESCE(provider, ''), ${rawSums()}
      FROM usage_records GROUP BY ${hourOf('time')}, COALESCE(key, ''), COALESCE(model, ''), COALESCE(provider, '')`,
    `INSERT INTO key_spend (key, day, cost_usd)
      SELECT key, ${dayOf('time')}, SUM(cost_usd) FROM usage_records WHERE key IS NOT NULL GROUP BY key, ${dayOf('time')}`,
  ];
}

export const CURRENT_VERSION = 2;

const hourOf = (col: string): string => `((${col} / ${HOUR_MS}) * ${HOUR_MS})`;
const dayOf = (col: string): string => `((${col} / ${DAY_MS}) * ${DAY_MS})`;

/** Sums over raw records, histogram included, in the rollup's column order. */
function rawSums(): string {
  const hist = HIST_COLUMNS.map((_, i) => {
    const lo = i === 0 ? undefined : LATENCY_BOUNDS_MS[i - 1];
    const hi = LATENCY_BOUNDS_MS[i];
    const cond = [lo === undefined ? '' : `duration_ms > ${lo}`, hi === undefined ? '' : `duration_ms <= ${hi}`].filter((c) => c !== '').join(' AND ');
    return `SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END)`;
  });
  return [
    'COUNT(*)',
    'SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END)',
    'SUM(prompt_tokens)',
    'SUM(completion_tokens)',
    'SUM(cached_tokens)',
    'SUM(reasoning_tokens)',
    'SUM(cost_usd)',
    ...hist,
  ].join(', ');
}

/** A statement and its parameters. */
export interface Sql {
  text: string;
  params: Array<string | number | null>;
}

export function insertRecords(p: Placeholder, records: readonly UsageRecord[]): Sql {
  const params: Array<string | number | null> = [];
  const rows: string[] = [];
  for (const r of records) {
    const marks: string[] = [];
    for (const c of RECORD_COLUMNS) {
      const v = r[c];
      params.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
      marks.push(p(params.length));
    }
    rows.push(`(${marks.join(',')})`);
  }
  return { text: `INSERT INTO usage_records (${RECORD_COLUMNS.join(',')}) VALUES ${rows.join(',')}`, params };
}

/** The rollup deltas of a batch, one per (hour, key, model, provider), sorted so concurrent writers lock rows in one order. */
export function rollupDeltas(records: readonly UsageRecord[]): Array<{ hour: number; key: string; model: string; provider: string; sums: Aggregate }> {
  const byGroup = new Map<string, { hour: number; key: string; model: string; provider: string; sums: Aggregate }>();
  for (const r of records) {
    const hour = Math.floor(r.time / HOUR_MS) * HOUR_MS;
    const key = r.key ?? '';
    const model = r.model ?? '';
    const provider = r.provider ?? '';
    const id = `${hour}\u0000${key}\u0000${model}\u0000${provider}`;
    let g = byGroup.get(id);
    if (g === undefined) {
      g = { hour, key, model, provider, sums: emptyAggregate() };
      byGroup.set(id, g);
    }
    const s = g.sums;
    s.requests++;
    if (r.status >= 400) s.errors++;
    s.prompt_tokens += r.prompt_tokens;
    s.completion_tokens += r.completion_tokens;
    s.cached_tokens += r.cached_tokens;
    s.reasoning_tokens += r.reasoning_tokens;
    s.cost_usd += r.cost_usd;
    const b = bucketOf(r.duration_ms);
    s.hist[b] = (s.hist[b] ?? 0) + 1;
  }
  return [...byGroup.values()].sort((a, b) => a.hour - b.hour || cmp(a.key, b.key) || cmp(a.model, b.model) || cmp(a.provider, b.provider));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function upsertRollups(p: Placeholder, deltas: ReturnType<typeof rollupDeltas>): Sql {
  const cols = ['hour', 'key', 'model', 'provider', ...SUM_COLUMNS, ...HIST_COLUMNS];
  const params: Array<string | number | null> = [];
  const rows = deltas.map((d) => {
    const values = [d.hour, d.key, d.model, d.provider, ...SUM_COLUMNS.map((c) => d.sums[c]), ...d.sums.hist];
    return `(${values.map((v) => (params.push(v), p(params.length))).join(',')})`;
  });
  const updates = [...SUM_COLUMNS, ...HIST_COLUMNS].map((c) => `${c} = usage_hourly.${c} + excluded.${c}`).join(', ');
  return { text: `INSERT INTO usage_hourly (${cols.join(',')}) VALUES ${rows.join(',')} ON CONFLICT (hour, key, model, provider) DO UPDATE SET ${updates}`, params };
}

/** Spend per (key, UTC day) of a batch, for budgets; requests without a key or a cost add nothing. */
export function upsertSpend(p: Placeholder, records: readonly UsageRecord[]): Sql | undefined {
  const byDay = new Map<string, { key: string; day: number; usd: number }>();
  for (const r of records) {
    if (r.key === null || r.cost_usd === 0) continue;
    const day = Math.floor(r.time / DAY_MS) * DAY_MS;
    const id = `${r.key}\u0000${day}`;
    const e = byDay.get(id);
    if (e === undefined) byDay.set(id, { key: r.key, day, usd: r.cost_usd });
    else e.usd += r.cost_usd;
  }
  if (byDay.size === 0) return undefined;
  const params: Array<string | number | null> = [];
  const rows = [...byDay.values()]
    .sort((a, b) => cmp(a.key, b.key) || a.day - b.day)
    .map((e) => `(${[e.key, e.day, e.usd].map((v) => (params.push(v), p(params.length))).join(',')})`);
  return { text: `INSERT INTO key_spend (key, day, cost_usd) VALUES ${rows.join(',')} ON CONFLICT (key, day) DO UPDATE SET cost_usd = key_spend.cost_usd + excluded.cost_usd`, params };
}

function filters(p: Placeholder, f: UsageFilter, params: Array<string | number | null>): string[] {
  const where: string[] = [];
  for (const col of ['key', 'model', 'provider'] as const) {
    const v = f[col];
    if (v === undefined) continue;
    params.push(v);
    where.push(`${col} = ${p(params.length)}`);
  }
  return where;
}

function groupExpr(field: GroupField, timeCol: string): string {
  if (field === 'hour') return hourOf(timeCol);
  if (field === 'day') return dayOf(timeCol);
  return field;
}

/**
 * Aggregation over a time range: whole hours come from the rollups, the partial hours at either
 * end from the raw records (through the time index), and the two are merged by group. `rawTable`
 * lets SQLite pin the time index: with a model filter its planner would otherwise walk every
 * record of that model through (model, id).
 */
export function aggregateQueries(p: Placeholder, q: UsageQuery, rawTable = 'usage_records'): Sql[] {
  const out: Sql[] = [];
  const firstWhole = Math.ceil(q.from / HOUR_MS) * HOUR_MS;
  const lastWhole = Math.floor(q.to / HOUR_MS) * HOUR_MS;
  const groups = q.groupBy;
  const rawRanges: Array<[number, number]> = firstWhole < lastWhole ? [[q.from, firstWhole], [lastWhole, q.to]] : [[q.from, q.to]];
  if (firstWhole < lastWhole) {
    const params: Array<string | number | null> = [firstWhole, lastWhole];
    const where = [`hour >= ${p(1)}`, `hour < ${p(2)}`, ...filters(p, q, params)];
    const exprs = groups.map((g) => groupExpr(g, 'hour'));
    const select = [...exprs.map((e, i) => `${e} AS g${i}`), ...SUM_COLUMNS.map((c) => `SUM(${c})`), ...HIST_COLUMNS.map((c) => `SUM(${c})`)].join(', ');
    out.push({ text: `SELECT ${select} FROM usage_hourly WHERE ${where.join(' AND ')}${exprs.length > 0 ? ` GROUP BY ${exprs.join(', ')}` : ''}`, params });
  }
  for (const [from, to] of rawRanges) {
    if (from >= to) continue;
    const params: Array<string | number | null> = [from, to];
    const where = [`time >= ${p(1)}`, `time < ${p(2)}`, ...filters(p, q, params)];
    const exprs = groups.map((g) => (g === 'key' || g === 'model' || g === 'provider' ? `COALESCE(${g}, '')` : groupExpr(g, 'time')));
    const select = [...exprs.map((e, i) => `${e} AS g${i}`), rawSums()].join(', ');
    out.push({ text: `SELECT ${select} FROM ${rawTable} WHERE ${where.join(' AND ')}${exprs.length > 0 ? ` GROUP BY ${exprs.join(', ')}` : ''}`, params });
  }
  return out;
}

/** Merges result rows (group values then sums, as arrays) into one row per group. */
export function mergeAggregateRows(groupBy: readonly GroupField[], rowSets: ReadonlyArray<ReadonlyArray<readonly unknown[]>>): AggregateRow[] {
  const merged = new Map<string, AggregateRow>();
  for (const rows of rowSets) {
    for (const row of rows) {
      const group: Record<string, string | number | null> = {};
      groupBy.forEach((g, i) => {
        const v = row[i];
        if (g === 'day' || g === 'hour') group[g] = new Date(Number(v)).toISOString();
        else group[g] = v === '' || v === null || v === undefined ? null : String(v);
      });
      const n = groupBy.length;
      const sums: Aggregate = {
        requests: num(row[n]),
        errors: num(row[n + 1]),
        prompt_tokens: num(row[n + 2]),
        completion_tokens: num(row[n + 3]),
        cached_tokens: num(row[n + 4]),
        reasoning_tokens: num(row[n + 5]),
        cost_usd: num(row[n + 6]),
        hist: HIST_COLUMNS.map((_, i) => num(row[n + 7 + i])),
      };
      if (sums.requests === 0) continue;
      const id = JSON.stringify(groupBy.map((g) => group[g]));
      const have = merged.get(id);
      if (have === undefined) merged.set(id, { group, sums });
      else addAggregate(have.sums, sums);
    }
  }
  return [...merged.values()];
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** Newest first, cut by id: no COUNT and no OFFSET, so page 1,000 costs what page 1 does. */
export function requestsQuery(p: Placeholder, q: RequestsQuery): Sql {
  const params: Array<string | number | null> = [];
  const where = filters(p, q, params);
  if (q.before !== undefined) {
    params.push(q.before);
    where.push(`id < ${p(params.length)}`);
  }
  if (q.since !== undefined) {
    params.push(q.since);
    where.push(`id >= ${p(params.length)}`);
  }
  const status = q.status;
  if (status !== undefined) {
    if (status === 'error') where.push('status >= 400');
    else if (/^[1-5]xx$/i.test(status)) {
      const base = Number(status[0]) * 100;
      where.push(`status >= ${base} AND status < ${base + 100}`);
    } else {
      params.push(Number(status));
      where.push(`status = ${p(params.length)}`);
    }
  }
  params.push(q.limit);
  return { text: `SELECT ${RECORD_COLUMNS.join(',')} FROM usage_records${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${p(params.length)}`, params };
}

/** A stored row back to a record (0/1 to booleans; PostgreSQL's BIGINTs arrive as numbers already). */
export function toRecord(row: Record<string, unknown>): UsageRecord {
  return {
    id: String(row['id']),
    time: Number(row['time']),
    request_id: String(row['request_id']),
    key: str(row['key']),
    client_protocol: str(row['client_protocol']),
    route: String(row['route']),
    model: str(row['model']),
    provider: str(row['provider']),
    upstream_model: str(row['upstream_model']),
    status: Number(row['status']),
    error_type: str(row['error_type']),
    stream: Number(row['stream']) === 1,
    attempts: Number(row['attempts']),
    prompt_tokens: Number(row['prompt_tokens']),
    completion_tokens: Number(row['completion_tokens']),
    cached_tokens: Number(row['cached_tokens']),
    reasoning_tokens: Number(row['reasoning_tokens']),
    cost_usd: Number(row['cost_usd']),
    priced: Number(row['priced']) === 1,
    duration_ms: Number(row['duration_ms']),
    ttfb_ms: row['ttfb_ms'] === null || row['ttfb_ms'] === undefined ? null : Number(row['ttfb_ms']),
    overhead_ms: row['overhead_ms'] === null || row['overhead_ms'] === undefined ? null : Number(row['overhead_ms']),
  };
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function spendQuery(p: Placeholder, keys: readonly string[], starts: { day: number; week: number; month: number }): Sql {
  const params: Array<string | number | null> = [starts.day, starts.week, starts.month];
  const marks = keys.map((k) => (params.push(k), p(params.length)));
  return {
    text: `SELECT key, SUM(CASE WHEN day >= ${p(1)} THEN cost_usd ELSE 0 END) AS day, SUM(CASE WHEN day >= ${p(2)} THEN cost_usd ELSE 0 END) AS week,
      SUM(CASE WHEN day >= ${p(3)} THEN cost_usd ELSE 0 END) AS month, SUM(cost_usd) AS total FROM key_spend WHERE key IN (${marks.join(',')}) GROUP BY key`,
    params,
  };
}
