import { useEffect, useState } from 'preact/hooks';
import { queryString, readRecord, readUsage, type AdminClient, type LedgerRecord } from '../api.ts';
import type { LiveFeed } from '../events.ts';
import { formatCount, formatDuration, formatTime, formatUsd } from '../format.ts';
import { ErrorNote, KeyName, PageHead, useKeyNames, useLive, useLoad } from '../ui/common.tsx';

const FILTERS = ['key', 'model', 'provider', 'status'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;
const NO_FILTERS: Filters = { key: '', model: '', provider: '', status: '' };
const PAGE = 100;
/** Rows kept on screen; older ones are a "Load older" away. */
const MAX_ROWS = 2000;

/** The admin API's status filter: an exact status, a class (`4xx`), or `error` (400 and above). */
export function statusMatches(status: number, filter: string): boolean {
  if (filter === '') return true;
  if (filter === 'error') return status >= 400;
  const cls = /^([1-5])xx$/i.exec(filter);
  if (cls !== null) return Math.floor(status / 100) === Number(cls[1]);
  return String(status) === filter;
}

function matches(r: LedgerRecord, f: Filters): boolean {
  return (f.key === '' || r.key === f.key) && (f.model === '' || r.model === f.model) && (f.provider === '' || r.provider === f.provider) && statusMatches(r.status, f.status);
}

function filterQuery(f: Filters): Record<string, string> {
  const q: Record<string, string> = {};
  for (const k of FILTERS) if (f[k] !== '') q[k] = f[k];
  return q;
}

export function RequestsPage({ client, feed }: { client: AdminClient; feed: LiveFeed }) {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [rows, setRows] = useState<LedgerRecord[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [tail, setTail] = useState(true);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(true);
  const [exporting, setExporting] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const names = useKeyNames(client);

  const choices = useLoad(async () => {
    const groups = await Promise.all((['key', 'model', 'provider'] as const).map((g) => client.get('/usage', { from: '7d', group_by: g }).then(readUsage)));
    const [key, model, provider] = groups.map((u, i) => u.rows.map((r) => r.group[['key', 'model', 'provider'][i] ?? ''] ?? '').filter((v) => v !== '' && v !== '(none)'));
    return { key: key ?? [], model: model ?? [], provider: provider ?? [] };
  }, [client]);

  const loadPage = async (before: string | null, f: Filters): Promise<void> => {
    setLoading(true);
    try {
      const body = await client.get('/requests', { limit: PAGE, ...(before === null ? {} : { before }), ...filterQuery(f) });
      const data = Array.isArray(body['data']) ? body['data'].map(readRecord) : [];
      const n = body['next'];
      setRows((old) => (before === null ? data : [...old, ...data]).slice(0, MAX_ROWS));
      setNext(typeof n === 'string' || typeof n === 'number' ? String(n) : null);
      setError('');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    void loadPage(null, filters);
  }, [client, filters]);

  useLive(feed, (e) => {
    if (!tail || e.type !== 'request') return;
    const r = readRecord(e.data);
    if (!matches(r, filters)) return;
    setRows((old) => (old.some((o) => o.id === r.id) ? old : [r, ...old].slice(0, MAX_ROWS)));
    setFresh((s) => new Set(s).add(r.id));
  });

  const apply = (e: Event): void => {
    e.preventDefault();
    // The ledger records virtual keys by id; a name typed in the filter means that key.
    const byName = [...names].find(([, name]) => name === draft.key)?.[0];
    setFilters({ ...draft, key: byName ?? draft.key });
  };
  const clear = (): void => {
    setDraft(NO_FILTERS);
    setFilters(NO_FILTERS);
  };

  const exportCsv = async (): Promise<void> => {
    setExporting(true);
    try {
      const res = await client.request('GET', '/requests', { format: 'csv', ...filterQuery(filters) });
      const blob = await res.blob();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `llmux-requests-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (e) {
      setError(`CSV export failed: ${(e as Error).message}`);
    } finally {
      setExporting(false);
    }
  };

  const active = FILTERS.some((k) => filters[k] !== '');
  return (
    <section>
      <PageHead title="Requests">
        <label class="toggle">
          <input type="checkbox" checked={tail} onChange={(e) => setTail(e.currentTarget.checked)} data-testid="live-tail" /> Live tail
        </label>
        <button type="button" class="ghost" onClick={() => void exportCsv()} disabled={exporting} data-testid="export-csv" title={`Download ${queryString({ ...filterQuery(filters), format: 'csv' })}`}>
          {exporting ? 'Exporting…' : 'Export CSV'}
        </button>
      </PageHead>
      <form class="filters" onSubmit={apply} aria-label="Filter requests">
        {(['key', 'model', 'provider'] as const).map((k) => (
          <label key={k}>
            <span>{k}</span>
            <input name={k} list={`list-${k}`} value={draft[k]} placeholder="any" autocomplete="off" onInput={(e) => setDraft({ ...draft, [k]: e.currentTarget.value.trim() })} />
            <datalist id={`list-${k}`}>
              {(choices.data?.[k] ?? []).map((v) => (
                <option value={v} key={v} label={k === 'key' ? names.get(v) : undefined} />
              ))}
            </datalist>
          </label>
        ))}
        <label>
          <span>status</span>
          <input name="status" list="list-status" value={draft.status} placeholder="any" autocomplete="off" onInput={(e) => setDraft({ ...draft, status: e.currentTarget.value.trim() })} />
          <datalist id="list-status">
            {['error', '2xx', '4xx', '5xx', '200', '401', '403', '404', '429', '500', '502', '503', '504'].map((s) => (
              <option value={String(s)} key={s} />
            ))}
          </datalist>
        </label>
        <div class="filter-actions">
          <button type="submit">Filter</button>
          {active && (
            <button type="button" class="ghost" onClick={clear}>
              Clear
            </button>
          )}
        </div>
      </form>
      <ErrorNote error={error} />
      <div class="table-wrap">
        <table class="requests" data-testid="requests-table">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col" class="roomy-only">
                Key
              </th>
              <th scope="col">Model</th>
              <th scope="col">Status</th>
              <th scope="col" class="num roomy-only">
                Tokens
              </th>
              <th scope="col" class="num">
                Cost
              </th>
              <th scope="col" class="num">
                Duration
              </th>
              <th scope="col" class="num wide-only">
                TTFB
              </th>
              <th scope="col" class="wide-only">
                Protocol
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => [
              <tr
                key={r.id}
                data-id={r.id}
                data-request-id={r.requestId}
                class={`row${fresh.has(r.id) ? ' fresh' : ''}${open === r.id ? ' open' : ''}`}
                tabIndex={0}
                aria-expanded={open === r.id}
                onClick={() => setOpen(open === r.id ? null : r.id)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    setOpen(open === r.id ? null : r.id);
                  }
                }}
              >
                <td class="time" title={new Date(r.time).toISOString()}>
                  {formatTime(r.time)}
                </td>
                <td class="name roomy-only">
                  <KeyName id={r.key} names={names} />
                </td>
                <td class="name" title={r.upstreamModel === '' ? undefined : `${r.provider}/${r.upstreamModel}`}>
                  {r.model || '–'}
                  {r.provider !== '' && <span class="sub"> → {r.provider}</span>}
                </td>
                <td>
                  <span class={`status s${Math.floor(r.status / 100)}`} title={r.errorType || undefined}>
                    {r.status}
                  </span>
                  {r.stream && <span class="tag">stream</span>}
                </td>
                <td class="num roomy-only">{r.promptTokens === null && r.completionTokens === null ? '–' : `${formatCount(r.promptTokens ?? 0)} / ${formatCount(r.completionTokens ?? 0)}`}</td>
                <td class="num">{formatUsd(r.costUsd)}</td>
                <td class="num">{formatDuration(r.durationMs)}</td>
                <td class="num wide-only">{formatDuration(r.ttfbMs)}</td>
                <td class="wide-only">{r.protocol}</td>
              </tr>,
              open === r.id && (
                <tr key={`${r.id}-detail`} class="detail">
                  <td colSpan={9}>
                    <RecordDetail r={r} keyName={names.get(r.key)} />
                  </td>
                </tr>
              ),
            ])}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && !loading && <p class="empty">{active ? 'No request matches these filters.' : 'No requests recorded yet.'}</p>}
      <div class="pager">
        {next !== null && rows.length < MAX_ROWS && (
          <button type="button" class="ghost" disabled={loading} onClick={() => void loadPage(next, filters)} data-testid="load-older">
            {loading ? 'Loading…' : 'Load older'}
          </button>
        )}
        <span class="muted">{formatCount(rows.length)} shown</span>
      </div>
    </section>
  );
}

/** Everything the ledger keeps about one request (never its text). */
function RecordDetail({ r, keyName }: { r: LedgerRecord; keyName: string | undefined }) {
  const items: Array<[string, string]> = [
    ['request id', r.requestId],
    ['key', keyName === undefined ? r.key || '–' : `${keyName} (${r.key})`],
    ['time', new Date(r.time).toISOString()],
    ['route', r.route],
    ['client protocol', r.protocol || '–'],
    ['upstream', r.provider === '' ? '–' : `${r.provider}/${r.upstreamModel}`],
    ['status', `${r.status}${r.errorType === '' ? '' : ` (${r.errorType})`}`],
    ['attempts', r.attempts === null ? '–' : String(r.attempts)],
    ['stream', r.stream ? 'yes' : 'no'],
    ['prompt tokens', formatCount(r.promptTokens)],
    ['cached tokens', formatCount(r.cachedTokens)],
    ['completion tokens', formatCount(r.completionTokens)],
    ['reasoning tokens', formatCount(r.reasoningTokens)],
    ['cost', formatUsd(r.costUsd)],
    ['duration', formatDuration(r.durationMs)],
    ['first byte', formatDuration(r.ttfbMs)],
    ['gateway overhead', formatDuration(r.overheadMs)],
  ];
  return (
    <dl class="record">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
