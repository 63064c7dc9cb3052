import type { Budget } from '../config/schema.ts';
import type { VirtualKeyPatch, VirtualKeyRow } from './store.ts';

/** A virtual key to its table columns (the allow-list as JSON text, the budget as two columns). */
export function keyToColumns(row: VirtualKeyRow): Record<string, string | number | null> {
  return {
    id: row.id,
    name: row.name,
    digest: row.digest,
    last4: row.last4,
    ...keyPatchColumns(row),
    created_at: row.created_at,
  };
}

export function keyPatchColumns(patch: VirtualKeyPatch): Record<string, string | number | null> {
  const cols: Record<string, string | number | null> = {};
  if (patch.models !== undefined) cols['models'] = patch.models === null ? null : JSON.stringify(patch.models);
  if (patch.rpm !== undefined) cols['rpm'] = patch.rpm;
  if (patch.tpm !== undefined) cols['tpm'] = patch.tpm;
  if (patch.budget !== undefined) {
    cols['budget_usd'] = patch.budget?.usd ?? null;
    cols['budget_period'] = patch.budget?.period ?? null;
  }
  if (patch.expires_at !== undefined) cols['expires_at'] = patch.expires_at;
  return cols;
}

export function keyFromRow(row: Record<string, unknown>): VirtualKeyRow {
  const models = row['models'];
  const usd = row['budget_usd'];
  const period = row['budget_period'];
  const budget: Budget | null = usd === null || usd === undefined ? null : { usd: Number(usd), period: isPeriod(period) ? period : 'month' };
  return {
    id: String(row['id']),
    name: String(row['name']),
    digest: String(row['digest']),
    last4: String(row['last4']),
    models: typeof models === 'string' ? (JSON.parse(models) as string[]) : null,
    rpm: nullableNumber(row['rpm']),
    tpm: nullableNumber(row['tpm']),
    budget,
    expires_at: nullableNumber(row['expires_at']),
    created_at: Number(row['created_at']),
  };
}

const isPeriod = (v: unknown): v is Budget['period'] => v === 'day' || v === 'week' || v === 'month' || v === 'total';
const nullableNumber = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
