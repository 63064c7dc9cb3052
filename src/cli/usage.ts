import type { Writable } from 'node:stream';
import { parseDuration } from '../config/units.ts';
import { addAggregate, emptyAggregate, percentile, type Aggregate, type GroupField } from '../ledger/store.ts';
import { formatTable, openLedger } from './ledger-store.ts';
import type { CliArgs } from './parse-args.ts';

const BY: readonly GroupField[] = ['key', 'model', 'provider'];

const usd = (n: number): string => `$${n.toFixed(n >= 100 ? 2 : 4)}`;
const int = (n: number): string => n.toLocaleString('en');

/** `llmux usage [--since 24h] [--by key|model|provider]`: the ledger's sums as a table. */
export async function runUsage(args: CliArgs, env: NodeJS.ProcessEnv, cwd: string, out: Writable): Promise<number> {
  const since = args.ledger?.since ?? '24h';
  const sinceMs = parseDuration(since);
  if (sinceMs === undefined || sinceMs === 0) {
    out.write(`error: --since: a duration like 24h, 7d or 30m (got "${since}")\n`);
    return 2;
  }
  const by = (args.ledger?.by ?? 'model') as GroupField;
  if (!BY.includes(by)) {
    out.write(`error: --by: one of ${BY.join(', ')} (got "${by}")\n`);
    return 2;
  }
  const opened = await openLedger(args, env, cwd, out, { create: false });
  if (typeof opened === 'number') return opened;
  const { store } = opened;
  try {
    const to = Date.now();
    const from = to - sinceMs;
    const rows = (await store.aggregate({ from, to, groupBy: [by] })).sort((a, b) => b.sums.cost_usd - a.sums.cost_usd || b.sums.requests - a.sums.requests);
    const totals = emptyAggregate();
    for (const r of rows) addAggregate(totals, r.sums);
    const cells = (label: string, s: Aggregate): string[] => [label, int(s.requests), int(s.errors), int(s.prompt_tokens), int(s.completion_tokens), int(s.cached_tokens), usd(s.cost_usd), percentile(s.hist, 0.5).toFixed(0), percentile(s.hist, 0.95).toFixed(0)];
    out.write(`usage since ${new Date(from).toISOString()} (${since}), by ${by}\n\n`);
    const body = rows.map((r) => cells(String(r.group[by] ?? '(none)'), r.sums));
    out.write(formatTable([by, 'requests', 'errors', 'prompt', 'completion', 'cached', 'cost', 'p50 ms', 'p95 ms'], [...body, cells('total', totals)], new Set([1, 2, 3, 4, 5, 6, 7, 8])));
    return 0;
  } finally {
    await store.close();
  }
}
