import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../../gateway/gateway.ts';
import { addAggregate, emptyAggregate, percentile, type Aggregate, type AggregateRow } from '../../ledger/store.ts';
import { filtersOf, parseGroupBy, parseRange, type QueryParams } from './query.ts';
import { fromStore } from './store-call.ts';

/** The answer's numbers for a group: sums, and percentiles read from the latency histogram. */
function figures(s: Aggregate): Record<string, number> {
  return {
    requests: s.requests,
    errors: s.errors,
    prompt_tokens: s.prompt_tokens,
    completion_tokens: s.completion_tokens,
    cached_tokens: s.cached_tokens,
    reasoning_tokens: s.reasoning_tokens,
    cost_usd: Math.round(s.cost_usd * 1e9) / 1e9,
    p50_ms: percentile(s.hist, 0.5),
    p95_ms: percentile(s.hist, 0.95),
  };
}

/** Time groups in time order; otherwise the biggest spenders first. */
function order(rows: AggregateRow[], timeField: string | undefined): AggregateRow[] {
  return rows.sort((a, b) => {
    if (timeField !== undefined) {
      const ta = String(a.group[timeField]);
      const tb = String(b.group[timeField]);
      if (ta !== tb) return ta < tb ? -1 : 1;
    }
    return b.sums.cost_usd - a.sums.cost_usd || b.sums.requests - a.sums.requests;
  });
}

/** GET /admin/usage: aggregates over a range, from the hourly rollups plus the raw records at the edges. */
export function registerUsageRoute(app: FastifyInstance, gateway: Gateway): void {
  app.get('/usage', async (request) => {
    const query = request.query as QueryParams;
    const { from, to } = parseRange(query, Date.now());
    const groupBy = parseGroupBy(query);
    const filters = filtersOf(query);
    const ledger = gateway.ledger;
    const rows = ledger === undefined ? [] : await fromStore(() => ledger.store.aggregate({ from, to, groupBy, ...filters }));
    const totals = emptyAggregate();
    for (const r of rows) addAggregate(totals, r.sums);
    const timeField = groupBy.includes('hour') ? 'hour' : groupBy.includes('day') ? 'day' : undefined;
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      group_by: groupBy,
      rows: order(rows, timeField).map((r) => ({ ...r.group, ...figures(r.sums) })),
      totals: figures(totals),
    };
  });
}
