import pg from 'pg';
import type { UsageRecord } from './record.ts';
import { aggregateQueries, CURRENT_VERSION, insertRecords, mergeAggregateRows, postgresPlaceholder as p, requestsQuery, rollupDeltas, schemaV1, schemaV2, spendQuery, toRecord, upsertRollups, upsertSpend, type Sql } from './sql.ts';
import type { AggregateRow, LedgerStore, PeriodSpend, PeriodStarts, RequestsQuery, UsageQuery, VirtualKeyPatch, VirtualKeyRow } from './store.ts';
import { keyFromRow, keyPatchColumns, keyToColumns } from './virtual-key-rows.ts';

const ROWS_PER_STATEMENT = 500;
/** Any constant shared by every llmux: replicas starting together migrate one at a time. */
const MIGRATION_LOCK = 0x6c6c6d78;

/** BIGINT and NUMERIC (sums) as JS numbers: counts and epoch ms stay far below 2^53. */
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
};

/**
 * The shared ledger for several replicas: one PostgreSQL, a small pool per process. The SQL is the
 * SQLite store's (see sql.ts); migrations hold an advisory lock so replicas never race.
 */
export class PostgresStore implements LedgerStore {
  readonly kind = 'postgres';
  readonly #url: string;
  #pool: pg.Pool | undefined;
  #migrated = false;

  constructor(url: string) {
    this.#url = url;
  }

  get #conn(): pg.Pool {
    if (this.#pool === undefined) {
      this.#pool = new pg.Pool({ connectionString: this.#url, max: 4, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000, types: types as pg.CustomTypesConfig });
      // An idle client that loses its server emits here; without a listener it would end the process.
      this.#pool.on('error', () => undefined);
    }
    return this.#pool;
  }

  async open(): Promise<void> {
    if (this.#migrated) return;
    const client = await this.#conn.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version');
      let version = rows[0]?.v ?? 0;
      if (version > CURRENT_VERSION) throw new Error(`the ledger was written by a newer llmux (schema version ${version}; this one knows up to ${CURRENT_VERSION})`);
      const steps: Record<number, () => string[]> = { 1: () => schemaV1(''), 2: () => schemaV2() };
      while (version < CURRENT_VERSION) {
        version++;
        for (const statement of steps[version]?.() ?? []) await client.query(statement);
        await client.query('INSERT INTO schema_version (version) VALUES ($1)', [version]);
      }
      await client.query('COMMIT');
      this.#migrated = true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async #query(sql: Sql): Promise<Array<Record<string, unknown>>> {
    await this.open();
    return (await this.#conn.query(sql.text, sql.params)).rows as Array<Record<string, unknown>>;
  }

  async insert(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.open();
    const client = await this.#conn.connect();
    try {
      await client.query('BEGIN');
      for (let i = 0; i < records.length; i += ROWS_PER_STATEMENT) {
        const sql = insertRecords(p, records.slice(i, i + ROWS_PER_STATEMENT));
        await client.query(sql.text, sql.params);
      }
      const deltas = rollupDeltas(records);
      for (let i = 0; i < deltas.length; i += 200) {
        const sql = upsertRollups(p, deltas.slice(i, i + 200));
        await client.query(sql.text, sql.params);
      }
      const spend = upsertSpend(p, records);
      if (spend !== undefined) await client.query(spend.text, spend.params);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async aggregate(query: UsageQuery): Promise<AggregateRow[]> {
    await this.open();
    const sets = await Promise.all(aggregateQueries(p, query).map(async (sql) => (await this.#conn.query({ text: sql.text, values: sql.params, rowMode: 'array' })).rows as unknown[][]));
    return mergeAggregateRows(query.groupBy, sets);
  }

  async requests(query: RequestsQuery): Promise<UsageRecord[]> {
    return (await this.#query(requestsQuery(p, query))).map(toRecord);
  }

  async spend(keys: readonly string[], starts: PeriodStarts): Promise<Map<string, PeriodSpend>> {
    const out = new Map<string, PeriodSpend>();
    if (keys.length === 0) return out;
    for (const row of await this.#query(spendQuery(p, keys, starts))) {
      out.set(String(row['key']), { day: Number(row['day']), week: Number(row['week']), month: Number(row['month']), total: Number(row['total']) });
    }
    return out;
  }

  async deleteOlderThan(before: number, batch: number): Promise<number> {
    await this.open();
    const r = await this.#conn.query('DELETE FROM usage_records WHERE id IN (SELECT id FROM usage_records WHERE time < $1 LIMIT $2)', [before, batch]);
    return r.rowCount ?? 0;
  }

  async listVirtualKeys(): Promise<VirtualKeyRow[]> {
    return (await this.#query({ text: 'SELECT * FROM virtual_keys WHERE revoked_at IS NULL ORDER BY created_at, id', params: [] })).map(keyFromRow);
  }

  async createVirtualKey(row: VirtualKeyRow): Promise<void> {
    const cols = keyToColumns(row);
    const names = Object.keys(cols);
    await this.#query({ text: `INSERT INTO virtual_keys (${names.join(',')}) VALUES (${names.map((_, i) => p(i + 1)).join(',')})`, params: Object.values(cols) });
  }

  async updateVirtualKey(id: string, patch: VirtualKeyPatch): Promise<VirtualKeyRow | undefined> {
    const cols = keyPatchColumns(patch);
    const names = Object.keys(cols);
    const params = [...Object.values(cols), id];
    const set = names.length > 0 ? names.map((n, i) => `${n} = ${p(i + 1)}`).join(', ') : 'id = id';
    const rows = await this.#query({ text: `UPDATE virtual_keys SET ${set} WHERE id = ${p(params.length)} AND revoked_at IS NULL RETURNING *`, params });
    return rows[0] === undefined ? undefined : keyFromRow(rows[0]);
  }

  async revokeVirtualKey(id: string): Promise<boolean> {
    const r = await this.#conn.query('UPDATE virtual_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [Date.now(), id]);
    return (r.rowCount ?? 0) > 0;
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    this.#migrated = false;
    await pool?.end().catch(() => undefined);
  }
}
