import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { AdminClient, ApiError } from './api.ts';
import { LiveFeed, type LiveStatus } from './events.ts';
import { KeysPage } from './pages/keys.tsx';
import { Login } from './pages/login.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { ProvidersPage } from './pages/providers.tsx';
import { RequestsPage } from './pages/requests.tsx';
import { RoutingPage } from './pages/routing.tsx';

const STORAGE_KEY = 'llmux.adminKey';

const PAGES = [
  { id: 'overview', title: 'Overview' },
  { id: 'requests', title: 'Requests' },
  { id: 'keys', title: 'Keys' },
  { id: 'providers', title: 'Providers' },
  { id: 'routing', title: 'Routing' },
] as const;
type PageId = (typeof PAGES)[number]['id'];

function currentPage(): PageId {
  const id = location.hash.replace(/^#\/?/, '').split('?')[0];
  return PAGES.find((p) => p.id === id)?.id ?? 'overview';
}

function App() {
  const [key, setKey] = useState<string | null>(() => sessionStorage.getItem(STORAGE_KEY));
  const [page, setPage] = useState<PageId>(currentPage);
  const [refused, setRefused] = useState('');

  useEffect(() => {
    const onHash = (): void => setPage(currentPage());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const session = useMemo(() => {
    if (key === null) return null;
    const client = new AdminClient(key);
    const feed = new LiveFeed(client);
    return { client, feed };
  }, [key]);

  useEffect(() => {
    if (session === null) return;
    session.client.onUnauthorized = () => {
      sessionStorage.removeItem(STORAGE_KEY);
      setRefused('The server refused this admin key.');
      setKey(null);
    };
    session.feed.start();
    return () => session.feed.stop();
  }, [session]);

  const login = async (candidate: string): Promise<string | null> => {
    const client = new AdminClient(candidate);
    try {
      // The cheapest call that needs the key; a wrong key is refused here, before any page loads.
      await client.get('/keys');
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return 'The server refused this admin key.';
      return `Cannot reach the admin API: ${(error as Error).message}`;
    }
    sessionStorage.setItem(STORAGE_KEY, candidate);
    setRefused('');
    setKey(candidate);
    return null;
  };

  if (session === null) return <Login onSubmit={login} notice={refused} />;

  const logout = (): void => {
    sessionStorage.removeItem(STORAGE_KEY);
    setKey(null);
  };

  return (
    <>
      <header class="top">
        <a class="brand" href="#/overview" aria-label="llmux console home">
          llmux
        </a>
        <nav aria-label="Pages">
          {PAGES.map((p) => (
            <a href={`#/${p.id}`} aria-current={p.id === page ? 'page' : undefined} key={p.id}>
              {p.title}
            </a>
          ))}
        </nav>
        <LiveBadge feed={session.feed} />
        <button class="ghost small" type="button" onClick={logout}>
          Log out
        </button>
      </header>
      <main id="main">
        {page === 'overview' && <OverviewPage client={session.client} feed={session.feed} />}
        {page === 'requests' && <RequestsPage client={session.client} feed={session.feed} />}
        {page === 'keys' && <KeysPage client={session.client} feed={session.feed} />}
        {page === 'providers' && <ProvidersPage client={session.client} feed={session.feed} />}
        {page === 'routing' && <RoutingPage client={session.client} />}
      </main>
    </>
  );
}

function LiveBadge({ feed }: { feed: LiveFeed }) {
  const [status, setStatus] = useState<LiveStatus>(feed.status);
  useEffect(() => feed.onStatus(setStatus), [feed]);
  const label = status === 'live' ? 'Live' : status === 'connecting' ? 'Connecting' : 'Reconnecting';
  return (
    <span class={`live ${status}`} role="status" title={status === 'live' ? 'Receiving events as they happen' : 'Live events paused; retrying'} data-testid="live-status" data-status={status}>
      <span class="dot" aria-hidden="true" />
      {label}
    </span>
  );
}

const root = document.getElementById('app');
if (root !== null) {
  root.textContent = '';
  render(<App />, root);
}
