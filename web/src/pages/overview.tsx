import { useEffect, useMemo, useState } from 'preact/hooks';
import { readRecord, readUsage, type AdminClient, type LedgerRecord, type Usage, type UsageRow, type UsageStats } from '../api.ts';
import type { LiveFeed } from '../events.ts';
import { formatCount, formatDuration, formatPercent, formatRate, formatUsd } from '../format.ts';
import { Chart, type Series } from '../ui/chart.tsx';
import { ErrorNote, KeyName, PageHead, Stat, useInterval, useKeyNames, useLive, useLoad, useThrottled } from '../ui/common.tsx';

const RANGES = [
  { id: '1h', label: '1 hour', seconds: 3600, bucket: 60 },
  { id: '24h', label: '24 hours', seconds: 86_400, bucket: 3600 },
  { id: '7d', label: '7 days', seconds: 604_800, bucket: 3600 },
] as const;
type Range = (typeof RANGES)[number];

const TOP = ['model', 'key', 'provider'] as const;
type TopGroup = (typeof TOP)[number];

interface OverviewData {
  usage: Usage;
  tops: Record<TopGroup, UsageRow[]>;
  /** For the hour view: recent records, bucketed per minute in the browser. */
  records: LedgerRecord[];
}

/** The last hour per minute: the admin API aggregates by hour at the finest, so minutes come from the records. */
async function recentRecords(client: AdminClient, sinceMs: number): Promise<LedgerRecord[]> {
  const out: LedgerRecord[] = [];
  let before: string | undefined;
  // Bounded: at most 5,000 records; a busier hour is drawn from those (the totals stay exact).
  for (let page = 0; page < 5; page++) {
    const body = await client.get('/requests', { limit: 1000, before, from: new Date(sinceMs).toISOString() });
    const data = Array.isArray(body['data']) ? body['data'].map(readRecord) : [];
    out.push(...data);
    const next = body['next'];
    const last = data[data.length - 1];
    if (typeof next !== 'string' && typeof next !== 'number') break;
    if (last === undefined || last.time < sinceMs) break;
    before = String(next);
  }
  return out.filter((r) => r.time >= sinceMs);
}

async function loadOverview(client: AdminClient, range: Range): Promise<OverviewData> {
  const usageBy = (groupBy: string): Promise<Usage> => client.get('/usage', { from: range.id, group_by: groupBy }).then(readUsage);
  // One grouped call feeds all three top lists: their columns are sums, which add up across groups.
  const [usage, groups, records] = await Promise.all([
    usageBy('hour'),
    usageBy('model,key,provider'),
    range.bucket === 60 ? recentRecords(client, Date.now() - range.seconds * 1000) : Promise.resolve([]),
  ]);
  return { usage, tops: { model: topBy(groups.rows, 'model'), key: topBy(groups.rows, 'key'), provider: topBy(groups.rows, 'provider') }, records };
}

/** Rows grouped by several fields, summed over one of them; most requests first. */
export function topBy(rows: UsageRow[], field: TopGroup): UsageRow[] {
  const sums = new Map<string, UsageRow>();
  for (const r of rows) {
    const name = r.group[field] ?? '(none)';
    const s = sums.get(name) ?? { group: { [field]: name }, bucket: null, requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, reasoningTokens: 0, costUsd: 0, p50Ms: null, p95Ms: null };
    s.requests += r.requests;
    s.errors += r.errors;
    s.promptTokens += r.promptTokens;
    s.completionTokens += r.completionTokens;
    s.cachedTokens += r.cachedTokens;
    s.reasoningTokens += r.reasoningTokens;
    s.costUsd += r.costUsd;
    sums.set(name, s);
  }
  return [...sums.values()].sort((a, b) => b.requests - a.requests || b.costUsd - a.costUsd);
}

interface Buckets {
  x: number[];
  requests: number[];
  errors: number[];
  p50: Array<number | null>;
  p95: Array<number | null>;
  prompt: number[];
  completion: number[];
  cost: number[];
}

function emptyBuckets(startS: number, count: number, stepS: number): Buckets {
  const b: Buckets = { x: [], requests: [], errors: [], p50: [], p95: [], prompt: [], completion: [], cost: [] };
  for (let i = 0; i < count; i++) {
    b.x.push(startS + i * stepS);
    b.requests.push(0);
    b.errors.push(0);
    b.p50.push(null);
    b.p95.push(null);
    b.prompt.push(0);
    b.completion.push(0);
    b.cost.push(0);
  }
  return b;
}

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null;
}

/** Hour buckets from the admin API's rows, or minute buckets from records; empty buckets are zero. */
export function bucketize(range: Range, nowMs: number, rows: UsageRow[], records: LedgerRecord[]): Buckets {
  const step = range.bucket;
  const end = Math.floor(nowMs / 1000 / step) * step;
  const count = Math.round(range.seconds / step);
  const start = end - (count - 1) * step;
  const b = emptyBuckets(start, count, step);
  const slot = (ms: number): number => Math.floor((Math.floor(ms / 1000 / step) * step - start) / step);
  if (step === 60) {
    const durations: number[][] = b.x.map(() => []);
    for (const r of records) {
      const i = slot(r.time);
      if (i < 0 || i >= count) continue;
      b.requests[i]! += 1;
      if (r.status >= 400) b.errors[i]! += 1;
      b.prompt[i]! += r.promptTokens ?? 0;
      b.completion[i]! += r.completionTokens ?? 0;
      b.cost[i]! += r.costUsd ?? 0;
      if (r.durationMs !== null) durations[i]!.push(r.durationMs);
    }
    durations.forEach((d, i) => {
      d.sort((p, q) => p - q);
      b.p50[i] = quantile(d, 0.5);
      b.p95[i] = quantile(d, 0.95);
    });
    return b;
  }
  for (const row of rows) {
    if (row.bucket === null) continue;
    const i = slot(row.bucket);
    if (i < 0 || i >= count) continue;
    b.requests[i]! += row.requests;
    b.errors[i]! += row.errors;
    b.prompt[i]! += row.promptTokens;
    b.completion[i]! += row.completionTokens;
    b.cost[i]! += row.costUsd;
    b.p50[i] = row.p50Ms;
    b.p95[i] = row.p95Ms;
  }
  return b;
}

export function OverviewPage({ client, feed }: { client: AdminClient; feed: LiveFeed }) {
  const [rangeId, setRangeId] = useState<Range['id']>(() => (sessionStorage.getItem('llmux.range') as Range['id'] | null) ?? '24h');
  const range = RANGES.find((r) => r.id === rangeId) ?? RANGES[1];
  const loaded = useLoad(() => loadOverview(client, range), [client, range.id]);
  const names = useKeyNames(client);
  const [live, setLive] = useState<LedgerRecord[]>([]);
  const refresh = useThrottled(() => {
    loaded.reload();
    setLive([]);
  }, 3000);
  useLive(feed, (e) => {
    if (e.type !== 'request') return;
    // Drawn at once in the minute view; the exact totals follow with the next (throttled) reload.
    if (range.bucket === 60) setLive((l) => [...l, readRecord(e.data)]);
    refresh();
  });

  // The window slides with the clock even when no request arrives.
  useInterval(refresh, 60_000);

  const choose = (id: Range['id']): void => {
    sessionStorage.setItem('llmux.range', id);
    setRangeId(id);
  };

  const data = loaded.data;
  // Marks the first paint with numbers, for the browser test's budget (performance.getEntriesByName).
  useEffect(() => {
    if (data !== null && performance.getEntriesByName('llmux:overview-data').length === 0) performance.mark('llmux:overview-data');
  }, [data]);
  const buckets = useMemo(() => (data === null ? null : bucketize(range, Date.now(), data.usage.rows, [...data.records, ...live])), [data, live, range]);

  return (
    <section aria-labelledby="page-title">
      <PageHead title="Overview">
        <div class="segmented" role="group" aria-label="Time range">
          {RANGES.map((r) => (
            <button type="button" key={r.id} aria-pressed={r.id === range.id} onClick={() => choose(r.id)}>
              {r.label}
            </button>
          ))}
        </div>
      </PageHead>
      <ErrorNote error={loaded.error} />
      {data === null ? (
        <p class="muted" aria-busy="true">
          Loading…
        </p>
      ) : (
        <>
          <Tiles totals={data.usage.totals} seconds={range.seconds} />
          {data.usage.totals.requests === 0 && <FirstRequest />}
          {buckets !== null && <Charts buckets={buckets} step={range.bucket} />}
          <div class="tops">
            {TOP.map((g) => (
              <TopTable key={g} group={g} rows={data.tops[g]} names={names} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}

function Tiles({ totals, seconds }: { totals: UsageStats; seconds: number }) {
  const tokens = totals.promptTokens + totals.completionTokens;
  const errorRate = totals.requests === 0 ? 0 : totals.errors / totals.requests;
  return (
    <div class="tiles" data-testid="tiles">
      <Stat testid="stat-requests" label="Requests" value={formatCount(totals.requests)} raw={totals.requests} hint={`${formatRate(totals.requests / seconds)} on average`} />
      <Stat testid="stat-errors" label="Error rate" value={formatPercent(errorRate)} raw={totals.errors} hint={`${formatCount(totals.errors)} errors`} />
      <Stat testid="stat-p50" label="Latency p50" value={formatDuration(totals.p50Ms)} raw={totals.p50Ms} />
      <Stat testid="stat-p95" label="Latency p95" value={formatDuration(totals.p95Ms)} raw={totals.p95Ms} />
      <Stat testid="stat-tokens" label="Tokens" value={formatCount(tokens)} raw={tokens} hint={`${formatCount(totals.promptTokens)} in · ${formatCount(totals.completionTokens)} out`} />
      <Stat testid="stat-cost" label="Cost" value={formatUsd(totals.costUsd)} raw={totals.costUsd} />
    </div>
  );
}

function Charts({ buckets, step }: { buckets: Buckets; step: number }) {
  const perSecond = buckets.requests.map((n) => n / step);
  const errorRate = buckets.requests.map((n, i) => (n === 0 ? null : (buckets.errors[i] ?? 0) / n));
  const rate: Series[] = [{ label: 'requests/s', values: perSecond, color: '--c1' }];
  const errors: Series[] = [{ label: 'error rate', values: errorRate, color: '--bad' }];
  const latency: Series[] = [
    { label: 'p50', values: buckets.p50, color: '--c1' },
    { label: 'p95', values: buckets.p95, color: '--c2', dashed: true },
  ];
  const tokens: Series[] = [
    { label: 'prompt', values: buckets.prompt, color: '--c1' },
    { label: 'completion', values: buckets.completion, color: '--c3' },
  ];
  const cost: Series[] = [{ label: 'cost', values: buckets.cost, color: '--c4' }];
  const per = step === 60 ? 'per minute' : 'per hour';
  return (
    <div class="charts">
      <Chart title="Requests per second" x={buckets.x} series={rate} format={formatRate} />
      <Chart title="Error rate" x={buckets.x} series={errors} format={formatPercent} />
      <Chart title="Latency" x={buckets.x} series={latency} format={formatDuration} />
      <Chart title={`Tokens ${per}`} x={buckets.x} series={tokens} format={formatCount} />
      <Chart title={`Cost ${per}`} x={buckets.x} series={cost} format={formatUsd} bars />
    </div>
  );
}

const TOP_TITLES: Record<TopGroup, string> = { model: 'Top models', key: 'Top keys', provider: 'Top providers' };

function TopTable({ group, rows, names }: { group: TopGroup; rows: UsageRow[]; names: Map<string, string> }) {
  const shown = rows.slice(0, 8);
  return (
    <div class="card" data-testid={`top-${group}`}>
      <h2>{TOP_TITLES[group]}</h2>
      {shown.length === 0 ? (
        <p class="empty">No requests in this range.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{group}</th>
                <th scope="col" class="num">
                  Requests
                </th>
                <th scope="col" class="num">
                  Errors
                </th>
                <th scope="col" class="num wide-only">
                  Tokens
                </th>
                <th scope="col" class="num">
                  Cost
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.group[group]}>
                  <td class={r.group[group] === '(none)' ? 'name none' : 'name'} title={r.group[group] === '(none)' ? 'Requests refused before this was known (bad key, unknown model, ...)' : undefined}>
                    {group === 'key' ? <KeyName id={r.group[group] ?? ''} names={names} /> : r.group[group]}
                  </td>
                  <td class="num" data-value={r.requests}>
                    {formatCount(r.requests)}
                  </td>
                  <td class="num">{formatPercent(r.requests === 0 ? 0 : r.errors / r.requests)}</td>
                  <td class="num wide-only">{formatCount(r.promptTokens + r.completionTokens)}</td>
                  <td class="num">{formatUsd(r.costUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** With nothing recorded yet, the quickest way to see something. */
function FirstRequest() {
  const curl = `curl ${location.origin}/v1/chat/completions -H 'content-type: application/json' -H 'authorization: Bearer YOUR_KEY' -d '{"model":"MODEL","messages":[{"role":"user","content":"Hello"}]}'`;
  return (
    <div class="card hint">
      <h2>No requests in this range yet</h2>
      <p class="muted">Send one and watch it arrive here and on the Requests page:</p>
      <pre>{curl}</pre>
    </div>
  );
}
