import { useState } from 'preact/hooks';
import { asArray, asObject, readCircuit, readProvider, readUsage, str, type AdminClient, type CircuitState, type ProviderInfo, type UsageRow } from '../api.ts';
import type { LiveFeed } from '../events.ts';
import { formatCount, formatDuration, formatPercent } from '../format.ts';
import { ErrorNote, PageHead, useInterval, useLive, useLoad } from '../ui/common.tsx';

const STATE_LABEL: Record<CircuitState, string> = { closed: 'healthy', 'half-open': 'trial', open: 'open', unknown: 'unknown' };

export function ProvidersPage({ client, feed }: { client: AdminClient; feed: LiveFeed }) {
  const loaded = useLoad(async () => {
    const [providers, usage] = await Promise.all([client.get('/providers'), client.get('/usage', { from: '1h', group_by: 'provider' })]);
    const byName = new Map<string, UsageRow>();
    for (const r of readUsage(usage).rows) byName.set(r.group['provider'] ?? '', r);
    return { providers: asArray(providers['data']).map(readProvider), usage: byName };
  }, [client]);
  // Circuit changes arrive as events and are drawn at once; in-flight counts and latency are polled.
  const [overrides, setOverrides] = useState<Record<string, { state: CircuitState; reason: string }>>({});
  useLive(feed, (e) => {
    if (e.type !== 'provider') return;
    const o = asObject(e.data);
    const name = str(o['name']);
    if (name === null) return;
    setOverrides((old) => ({ ...old, [name]: { state: readCircuit(o['state']), reason: str(o['reason']) ?? '' } }));
  });
  useInterval(() => {
    loaded.reload();
    setOverrides({});
  }, 5000);

  const list = (loaded.data?.providers ?? []).map((p): ProviderInfo => ({ ...p, ...(overrides[p.name] ?? {}) }));
  return (
    <section>
      <PageHead title="Providers" />
      <ErrorNote error={loaded.error} />
      {loaded.data !== null && list.length === 0 && <p class="empty">No providers configured.</p>}
      <div class="cards">
        {list.map((p) => {
          const u = loaded.data?.usage.get(p.name);
          return (
            <article class={`card provider ${p.state}`} key={p.name} data-testid={`provider-${p.name}`} data-state={p.state}>
              <header>
                <h2>{p.name}</h2>
                <span class={`badge ${p.state}`}>{STATE_LABEL[p.state]}</span>
              </header>
              {p.reason !== '' && p.state !== 'closed' && <p class="reason">{p.reason}</p>}
              <dl>
                <div>
                  <dt>type</dt>
                  <dd>{p.type}</dd>
                </div>
                <div>
                  <dt>p50 (5 min)</dt>
                  <dd>{formatDuration(p.p50Ms)}</dd>
                </div>
                <div>
                  <dt>in flight</dt>
                  <dd>{formatCount(p.inflight)}</dd>
                </div>
                <div>
                  <dt>requests (1 h)</dt>
                  <dd>{formatCount(u?.requests ?? 0)}</dd>
                </div>
                <div>
                  <dt>errors (1 h)</dt>
                  <dd>{u === undefined || u.requests === 0 ? '–' : formatPercent(u.errors / u.requests)}</dd>
                </div>
                <div>
                  <dt>p95 (1 h)</dt>
                  <dd>{formatDuration(u?.p95Ms)}</dd>
                </div>
              </dl>
              <p class="url mono" title="base URL">
                {p.baseUrl}
              </p>
              {p.lastError !== '' && (
                <p class="last-error">
                  <span class="muted">last error:</span> {p.lastError}
                </p>
              )}
              <details>
                <summary>{formatCount(p.models.length)} models</summary>
                <p class="models">{p.models.join(', ') || '–'}</p>
              </details>
            </article>
          );
        })}
      </div>
    </section>
  );
}
