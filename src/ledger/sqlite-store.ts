import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { UsageRecord } from './record.ts';
import { aggregateQueries, CURRENT_VERSION, insertRecords, mergeAggregateRows, requestsQuery, rollupDeltas, schemaV1, schemaV2, spendQuery, sqlitePlaceholder as p, toRecord, upsertRollups, upsertSpend, type Sql } from './sql.ts';
import type { AggregateRow, LedgerStore, PeriodSpend, PeriodStarts, RequestsQuery, UsageQuery, VirtualKeyPatch, VirtualKeyRow } from './store.ts';
import { keyFromRow, keyPatchColumns, keyToColumns } from './virtual-key-rows.ts';

/** Records per INSERT statement: well under SQLite's 32,766 bound parameters at 22 columns a row. */
const ROWS_PER_STATEMENT = 500;

/**
 * The embedded ledger: Node's built-in SQLite (no native addon to build), in WAL mode so readers
 * (the admin API, `llmux usage`) never wait for the writer. Calls are synchronous; a flush of a
 * thousand records takes about a millisecond of the event loop (see the commit that measured it).
 */
export class SqliteStore implements LedgerStore {
  readonly kind = 'sqlite';
  readonly path: string;
  #db: DatabaseSync | undefined;
  readonly #statements = new Map<string, StatementSync>();

  constructor(path: string) {
    this.path = path;
  }

  async open(): Promise<void> {
    this.#openSync();
  }

  #openSync(): DatabaseSync {
    if (this.#db !== undefined) return this.#db;
    const db = new DatabaseSync(this.path, { timeout: 5000 });
    try {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = NORMAL');
      migrate(db);
    } catch (error) {
      db.close();
      throw error;
    }
    this.#db = db;
    return db;
  }

  /** The open database; a store that failed (or was closed after a failure) is reopened here. */
  #conn(): DatabaseSync {
    return this.#db ?? this.#openSync();
  }

  #stmt(text: string): StatementSync {
    let s = this.#statements.get(text);
    if (s === undefined) {
      s = this.#conn().prepare(text);
      // Statements for every batch size would pile up; the common sizes are few (full chunks, small flushes).
      if (this.#statements.size > 200) this.#statements.clear();
      this.#statements.set(text, s);
    }
    return s;
  }

  #run(sql: Sql): void {
    this.#stmt(sql.text).run(...(sql.params as SQLInputValue[]));
  }

  #all(sql: Sql): Array<Record<string, SQLInputValue>> {
    return this.#stmt(sql.text).all(...(sql.params as SQLInputValue[]));
  }

  async insert(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    const db = this.#conn();
    db.exec('BEGIN IMMEDIATE');
    try {
      for (let i = 0; i < records.length; i += ROWS_PER_STATEMENT) this.#run(insertRecords(p, records.slice(i, i + ROWS_PER_STATEMENT)));
      const deltas = rollupDeltas(records);
      for (let i = 0; i < deltas.length; i += 200) this.#run(upsertRollups(p, deltas.slice(i, i + 200)));
      const spend = upsertSpend(p, records);
      if (spend !== undefined) this.#run(spend);
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }

  async aggregate(query: UsageQuery): Promise<AggregateRow[]> {
    const sets = aggregateQueries(p, query, 'usage_records INDEXED BY usage_records_time').map((sql) => {
      const stmt = this.#stmt(sql.text);
      stmt.setReturnArrays(true);
      return stmt.all(...(sql.params as SQLInputValue[])) as unknown as unknown[][];
    });
    return mergeAggregateRows(query.groupBy, sets);
  }

  async requests(query: RequestsQuery): Promise<UsageRecord[]> {
    return this.#all(requestsQuery(p, query)).map(toRecord);
  }

  async spend(keys: readonly string[], starts: PeriodStarts): Promise<Map<string, PeriodSpend>> {
    const out = new Map<string, PeriodSpend>();
    if (keys.length === 0) return out;
    for (const row of this.#all(spendQuery(p, keys, starts))) {
      out.set(String(row['key']), { day: Number(row['day']), week: Number(row['week']), month: Number(row['month']), total: Number(row['total']) });
    }
    return out;
  }

  async deleteOlderThan(before: number, batch: number): Promise<number> {
    const r = this.#stmt('DELETE FROM usage_records WHERE id IN (SELECT id FROM usage_records WHERE time < ? LIMIT ?)').run(before, batch);
    return Number(r.changes);
  }

  async listVirtualKeys(): Promise<VirtualKeyRow[]> {
    return this.#all({ text: 'SELECT * FROM virtual_keys WHERE revoked_at IS NULL ORDER BY created_at, id', params: [] }).map(keyFromRow);
  }

  async createVirtualKey(row: VirtualKeyRow): Promise<void> {
    const cols = keyToColumns(row);
    const names = Object.keys(cols);
    this.#run({ text: `INSERT INTO virtual_keys (${names.join(',')}) VALUES (${names.map(() => '?').join(',')})`, params: Object.values(cols) });
  }

  async updateVirtualKey(id: string, patch: VirtualKeyPatch): Promise<VirtualKeyRow | undefined> {
    const cols = keyPatchColumns(patch);
    const names = Object.keys(cols);
    if (names.length > 0) {
      this.#run({ text: `UPDATE virtual_keys SET ${names.map((n) => `${n} = ?`).join(', ')} WHERE id = ? AND revoked_at IS NULL`, params: [...Object.values(cols), id] });
    }
    const row = this.#all({ text: 'SELECT * FROM virtual_keys WHERE id = ? AND revoked_at IS NULL', params: [id] })[0];
    return row === undefined ? undefined : keyFromRow(row);
  }

  async revokeVirtualKey(id: string): Promise<boolean> {
    const r = this.#stmt('UPDATE virtual_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(Date.now(), id);
    return Number(r.changes) > 0;
  }

  async close(): Promise<void> {
    this.#statements.clear();
    this.#db?.close();
    this.#db = undefined;
  }
}

/** Brings the file to the current schema, one version at a time, each in its own transaction. */
function migrate(db: DatabaseSync): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get();
    let version = row === undefined || row['v'] === null ? 0 : Number(row['v']);
    if (version > CURRENT_VERSION) throw new Error(`the ledger was written by a newer llmux (schema version ${version}; this one knows up to ${CURRENT_VERSION})`);
    const steps: Record<number, () => string[]> = { 1: () => schemaV1(' WITHOUT ROWID'), 2: () => schemaV2() };
    while (version < CURRENT_VERSION) {
      version++;
      for (const statement of steps[version]?.() ?? []) db.exec(statement);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(version);
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
