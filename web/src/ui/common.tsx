import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { asArray, readKey, type AdminClient } from '../api.ts';
import type { LiveEvent, LiveFeed } from '../events.ts';

export interface Loaded<T> {
  data: T | null;
  error: string;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` now and whenever `deps` change; keeps the last data while a reload is in flight. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const run = useCallback(() => {
    const n = ++seq.current;
    setLoading(true);
    load().then(
      (d) => {
        if (n !== seq.current) return;
        setData(d);
        setError('');
        setLoading(false);
      },
      (e: unknown) => {
        if (n !== seq.current) return;
        setError(e instanceof Error ? e.message : String(e));
        setLoading(false);
      },
    );
    // The caller's deps decide when to reload.
  }, deps);
  useEffect(run, [run]);
  return { data, error, loading, reload: run };
}

/** Calls `listener` for each live event while the component is mounted. */
export function useLive(feed: LiveFeed, listener: (e: LiveEvent) => void): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => feed.subscribe((e) => ref.current(e)), [feed]);
}

/** A reload at most once per `ms`, however many events ask for one (a busy gateway sends many). */
export function useThrottled(fn: () => void, ms: number): () => void {
  const timer = useRef<number | undefined>(undefined);
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      ref.current();
    }, ms) as unknown as number;
  }, [ms]);
}

export function useInterval(fn: () => void, ms: number): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const id = setInterval(() => ref.current(), ms);
    return () => clearInterval(id);
  }, [ms]);
}

export function ErrorNote({ error }: { error: string }) {
  if (error === '') return null;
  return (
    <p class="error" role="alert">
      {error}
    </p>
  );
}

export function PageHead({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="page-head">
      <h1>{title}</h1>
      <div class="actions">{children}</div>
    </div>
  );
}

export function Stat({ label, value, raw, hint, testid }: { label: string; value: string; raw?: number | null; hint?: string; testid: string }) {
  return (
    <div class="stat" data-testid={testid} data-value={raw ?? ''}>
      <div class="stat-label">{label}</div>
      <div class="stat-value">{value}</div>
      {hint !== undefined && <div class="stat-hint">{hint}</div>}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

const keyNameCache = new WeakMap<AdminClient, { at: number; names: Promise<Map<string, string>> }>();

/**
 * Virtual keys are recorded by id (names can repeat and change); people know them by name. One
 * /admin/keys call serves every page for a minute.
 */
export function useKeyNames(client: AdminClient): Map<string, string> {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let cached = keyNameCache.get(client);
    if (cached === undefined || Date.now() - cached.at > 60_000) {
      const names = client.get('/keys').then((body) => new Map(asArray(body['data']).map(readKey).filter((k) => k.source === 'virtual' && k.name !== k.id).map((k) => [k.id, k.name])));
      cached = { at: Date.now(), names };
      keyNameCache.set(client, cached);
    }
    let live = true;
    cached.names.then(
      (n) => live && setNames(n),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client]);
  return names;
}

/** After a key is created or changed: the next page asks again. */
export function forgetKeyNames(client: AdminClient): void {
  keyNameCache.delete(client);
}

/** A key as people know it: a virtual key's name, its id on hover. */
export function KeyName({ id, names }: { id: string; names: Map<string, string> }) {
  const name = names.get(id);
  if (id === '') return <span class="muted">–</span>;
  return name === undefined ? <>{id}</> : <span title={id}>{name}</span>;
}
