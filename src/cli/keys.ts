import type { Writable } from 'node:stream';
import { pino } from 'pino';
import { configKeyName } from '../auth/keys.ts';
import type { Budget } from '../config/schema.ts';
import { periodStarts } from '../ledger/store.ts';
import { VirtualKeys, type NewVirtualKey } from '../ledger/virtual-keys.ts';
import { formatTable, openLedger } from './ledger-store.ts';
import type { CliArgs, LedgerArgs } from './parse-args.ts';


/** `--budget 50/month` (or `50`, a monthly budget). */
function parseBudget(raw: string): Budget | string {
  const m = /^\$?(\d+(?:\.\d+)?)(?:\/(day|week|month|total))?$/.exec(raw.trim());
  if (m === null) return `--budget: USD and a period, like 50/month or 5/day (got "${raw}")`;
  return { usd: Number(m[1]), period: (m[2] as Budget['period'] | undefined) ?? 'month' };
}

function parseCreate(a: LedgerArgs): NewVirtualKey | string {
  if (a.operand === undefined) return 'llmux keys create NAME: give the key a name';
  const input: NewVirtualKey = { name: a.operand };
  if (a.models !== undefined) input.models = a.models.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const f of ['rpm', 'tpm'] as const) {
    const v = a[f];
    if (v === undefined) continue;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) return `--${f}: a whole number (got "${v}")`;
    input[f] = n;
  }
  if (a.budget !== undefined) {
    const b = parseBudget(a.budget);
    if (typeof b === 'string') return b;
    input.budget = b;
  }
  if (a.expires !== undefined) {
    const t = Date.parse(a.expires);
    if (!Number.isFinite(t)) return `--expires: an ISO 8601 date or time (got "${a.expires}")`;
    input.expires_at = t;
  }
  return input;
}

/** `llmux keys create|list|revoke`: virtual keys in the ledger's store, from a terminal. */
export async function runKeys(args: CliArgs, env: NodeJS.ProcessEnv, cwd: string, out: Writable): Promise<number> {
  const a = args.ledger ?? {};
  const action = a.action ?? 'list';
  if (!['create', 'list', 'revoke'].includes(action)) {
    out.write(`error: llmux keys ${action}: the actions are create, list and revoke\n`);
    return 2;
  }
  const input = action === 'create' ? parseCreate(a) : undefined;
  if (typeof input === 'string') {
    out.write(`error: ${input}\n`);
    return 2;
  }
  if (action === 'revoke' && a.operand === undefined) {
    out.write('error: llmux keys revoke ID: which key (its id, from llmux keys list)\n');
    return 2;
  }
  const opened = await openLedger(args, env, cwd, out, { create: action === 'create' });
  if (typeof opened === 'number') return opened;
  const { store, config } = opened;
  const keys = new VirtualKeys(store, pino({ level: 'silent' }));
  try {
    if (input !== undefined) {
      const { row, secret } = await keys.create(input);
      out.write(`created ${row.id} (${row.name})\n\n  ${secret}\n\nThis is the only time the key is shown: only its SHA-256 digest is stored.\n`);
      return 0;
    }
    if (action === 'revoke') {
      const id = a.operand ?? '';
      if (config.auth.api_keys.some((k, i) => configKeyName(k, i) === id)) {
        out.write(`error: "${id}" comes from the config file: remove it there\n`);
        return 1;
      }
      if (!(await keys.revoke(id))) {
        out.write(`error: no virtual key "${id}"\n`);
        return 1;
      }
      out.write(`revoked ${id}: every gateway refuses it within 5 seconds\n`);
      return 0;
    }
    await keys.refresh();
    const rows = keys.rows();
    const ids = [...config.auth.api_keys.map((k, i) => configKeyName(k, i)), ...rows.map((r) => r.id)];
    const spend = await store.spend(ids, periodStarts(Date.now()));
    const budget = (b: Budget | null | undefined): string => (b === null || b === undefined ? '-' : `$${b.usd}/${b.period}`);
    const spent = (id: string, b: Budget | null | undefined): string => `$${(spend.get(id)?.[b?.period ?? 'month'] ?? 0).toFixed(4)}`;
    const table = [
      ...config.auth.api_keys.map((k, i) => {
        const id = configKeyName(k, i);
        return [id, id, 'config', `...${k.key.slice(-4)}`, k.models?.join(',') ?? '*', String(k.rpm ?? '-'), String(k.tpm ?? '-'), budget(k.budget), spent(id, k.budget), '-'];
      }),
      ...rows.map((r) => [r.id, r.name, 'virtual', `...${r.last4}`, r.models?.join(',') ?? '*', String(r.rpm ?? '-'), String(r.tpm ?? '-'), budget(r.budget), spent(r.id, r.budget), r.expires_at === null ? '-' : new Date(r.expires_at).toISOString()]),
    ];
    if (table.length === 0) out.write('no keys: the config has none, and none were created (llmux keys create NAME)\n');
    else out.write(formatTable(['id', 'name', 'source', 'key', 'models', 'rpm', 'tpm', 'budget', 'spent', 'expires'], table, new Set([5, 6, 8])));
    return 0;
  } finally {
    await store.close();
  }
}
