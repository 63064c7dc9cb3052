import { asArray, asObject, num, str, type AdminClient, type Json, type JsonObject } from '../api.ts';
import { ErrorNote, PageHead, useLoad } from '../ui/common.tsx';

interface Target {
  provider: string;
  upstreamModel: string;
  weight: number | null;
}

interface Route {
  model: string;
  targets: Target[];
  kind: string;
}

function readTarget(v: Json): Target {
  const o = asObject(v);
  return { provider: str(o['provider'] ?? null) ?? '', upstreamModel: str(o['upstream_model'] ?? null) ?? '', weight: num(o['weight']) };
}

/** The routing table of /admin/config: public models with their targets, then the providers' glob patterns. */
export function readRoutes(body: JsonObject): Route[] {
  const routing = asObject(body['routing'] ?? null);
  const routes = asArray(routing['routes']).map((r): Route => {
    const o = asObject(r);
    return { model: str(o['model'] ?? null) ?? '', targets: asArray(o['targets']).map(readTarget), kind: o['alias'] === true ? 'alias' : '' };
  });
  const patterns = asArray(routing['patterns']).map((p): Route => {
    const o = asObject(p);
    return { model: str(o['pattern'] ?? null) ?? '', targets: [{ provider: str(o['provider'] ?? null) ?? '', upstreamModel: '<same name>', weight: num(o['weight']) }], kind: 'pattern' };
  });
  return [...routes, ...patterns];
}

export function RoutingPage({ client }: { client: AdminClient }) {
  const loaded = useLoad(() => client.get('/config'), [client]);
  const data = loaded.data;
  const routes = data === null ? [] : readRoutes(data);
  const running = data === null ? null : (data['config'] ?? null);
  const routing = asObject(data?.['routing'] ?? null);
  const fallbacks = Object.entries(asObject(routing['fallbacks'] ?? null));
  return (
    <section>
      <PageHead title="Routing">{typeof routing['mode'] === 'string' && <span class="tag">mode: {routing['mode']}</span>}</PageHead>
      <ErrorNote error={loaded.error} />
      {data !== null && (
        <>
          <div class="table-wrap">
            <table data-testid="routing-table">
              <thead>
                <tr>
                  <th scope="col">Public model</th>
                  <th scope="col">Targets (provider / upstream model, weight)</th>
                </tr>
              </thead>
              <tbody>
                {routes.map((r) => (
                  <tr key={r.model}>
                    <td class="name">
                      {r.model}
                      {r.kind !== '' && <span class="tag">{r.kind}</span>}
                    </td>
                    <td>
                      <ul class="targets">
                        {r.targets.map((t) => (
                          <li key={`${t.provider}/${t.upstreamModel}`}>
                            <span class="mono">
                              {t.provider}/{t.upstreamModel}
                            </span>
                            {t.weight !== null && <span class="weight">×{t.weight}</span>}
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {routes.length === 0 && <p class="empty">No listed models.</p>}
          {fallbacks.length > 0 && (
            <div class="card">
              <h2>Fallbacks</h2>
              <ul>
                {fallbacks.map(([from, to]) => (
                  <li key={from}>
                    <span class="mono">{from}</span> → {asArray(to).map((t) => str(t)).join(' → ')}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <details class="card">
            <summary>Running config (secrets redacted)</summary>
            <pre class="config">{JSON.stringify(running, null, 2)}</pre>
          </details>
        </>
      )}
    </section>
  );
}
