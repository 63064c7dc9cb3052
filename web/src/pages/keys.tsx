import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { asArray, readKey, type AdminClient, type KeyInfo } from '../api.ts';
import type { LiveFeed } from '../events.ts';
import { formatAgo, formatCount, formatPercent, formatUsd } from '../format.ts';
import { ErrorNote, forgetKeyNames, PageHead, useLive, useLoad, useThrottled } from '../ui/common.tsx';

const PERIODS = ['day', 'week', 'month', 'total'] as const;

interface KeyForm {
  name: string;
  models: string;
  rpm: string;
  tpm: string;
  budgetUsd: string;
  period: string;
  expiresAt: string;
}

const EMPTY_FORM: KeyForm = { name: '', models: '', rpm: '', tpm: '', budgetUsd: '', period: 'month', expiresAt: '' };

function formOf(k: KeyInfo): KeyForm {
  return {
    name: k.name,
    models: k.models.join(', '),
    rpm: k.rpm === null ? '' : String(k.rpm),
    tpm: k.tpm === null ? '' : String(k.tpm),
    budgetUsd: k.budget === null ? '' : String(k.budget.usd),
    period: k.budget?.period ?? 'month',
    expiresAt: k.expiresAt === null ? '' : new Date(k.expiresAt).toISOString().slice(0, 10),
  };
}

/** The form as the admin API takes it; `clearing` sends null for emptied fields (PATCH). */
export function keyBody(f: KeyForm, clearing: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const blank = clearing ? null : undefined;
  const models = f.models
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  body['models'] = models.length > 0 ? models : blank;
  body['rpm'] = f.rpm.trim() === '' ? blank : Number(f.rpm);
  body['tpm'] = f.tpm.trim() === '' ? blank : Number(f.tpm);
  body['budget'] = f.budgetUsd.trim() === '' ? blank : { usd: Number(f.budgetUsd), period: f.period };
  body['expires_at'] = f.expiresAt === '' ? blank : new Date(`${f.expiresAt}T23:59:59Z`).toISOString();
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return body;
}

export function KeysPage({ client, feed }: { client: AdminClient; feed: LiveFeed }) {
  const keys = useLoad(async () => {
    forgetKeyNames(client);
    return asArray((await client.get('/keys'))['data']).map(readKey);
  }, [client]);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<KeyInfo | null>(null);
  const [revoking, setRevoking] = useState<KeyInfo | null>(null);
  const [secret, setSecret] = useState<{ name: string; key: string } | null>(null);
  const [error, setError] = useState('');
  // Spend moves with every request; a throttled reload keeps it current without a poll per event.
  const refresh = useThrottled(keys.reload, 5000);
  useLive(feed, (e) => {
    if (e.type === 'request') refresh();
  });

  const create = async (f: KeyForm): Promise<string | null> => {
    try {
      const body = await client.send('POST', '/keys', { name: f.name.trim(), ...keyBody(f, false) });
      setCreating(false);
      setSecret({ name: f.name.trim(), key: typeof body['key'] === 'string' ? body['key'] : '' });
      keys.reload();
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  };
  const update = async (k: KeyInfo, f: KeyForm): Promise<string | null> => {
    try {
      await client.send('PATCH', `/keys/${encodeURIComponent(k.id)}`, keyBody(f, true));
      setEditing(null);
      keys.reload();
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  };
  const revoke = async (k: KeyInfo): Promise<void> => {
    try {
      await client.send('DELETE', `/keys/${encodeURIComponent(k.id)}`);
      setError('');
    } catch (e) {
      setError(`Could not revoke ${k.name}: ${(e as Error).message}`);
    }
    setRevoking(null);
    keys.reload();
  };

  const list = keys.data ?? [];
  return (
    <section>
      <PageHead title="Keys">
        <button type="button" onClick={() => setCreating(true)} data-testid="new-key">
          New virtual key
        </button>
      </PageHead>
      <ErrorNote error={keys.error || error} />
      {keys.data !== null && list.length === 0 && <p class="empty">No client keys: the gateway accepts requests without a key. Create a virtual key to require one.</p>}
      {list.length > 0 && (
        <div class="table-wrap">
          <table data-testid="keys-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" class="wide-only">
                  Key
                </th>
                <th scope="col">Spend / budget</th>
                <th scope="col" class="num">
                  Limits
                </th>
                <th scope="col" class="wide-only">
                  Models
                </th>
                <th scope="col" class="wide-only">
                  Expires
                </th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((k) => (
                <tr key={k.id} data-key-id={k.id} data-key-name={k.name}>
                  <td class="name">
                    {k.name}
                    <span class={`tag ${k.source}`}>{k.source}</span>
                  </td>
                  <td class="wide-only mono">…{k.last4}</td>
                  <td>
                    <SpendBar k={k} />
                  </td>
                  <td class="num">
                    {k.rpm === null && k.tpm === null ? (
                      <span class="muted">default</span>
                    ) : (
                      <>
                        {k.rpm !== null && <div>{formatCount(k.rpm)} rpm</div>}
                        {k.tpm !== null && <div>{formatCount(k.tpm)} tpm</div>}
                      </>
                    )}
                  </td>
                  <td class="wide-only">{k.models.length === 0 ? <span class="muted">all</span> : k.models.join(', ')}</td>
                  <td class="wide-only">{k.expiresAt === null ? <span class="muted">never</span> : <span title={new Date(k.expiresAt).toISOString()}>{formatAgo(k.expiresAt)}</span>}</td>
                  <td class="row-actions">
                    {k.source === 'virtual' ? (
                      <>
                        <button type="button" class="ghost small" onClick={() => setEditing(k)} aria-label={`Change limits of ${k.name}`}>
                          Edit
                        </button>
                        <button type="button" class="danger small" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                          Revoke
                        </button>
                      </>
                    ) : (
                      <span class="muted" title="Keys from the config file change there">
                        config
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {creating && <KeyDialog title="New virtual key" initial={EMPTY_FORM} submitLabel="Create key" onSubmit={create} onClose={() => setCreating(false)} />}
      {editing !== null && <KeyDialog title={`Change ${editing.name}`} initial={formOf(editing)} submitLabel="Save" fixedName onSubmit={(f) => update(editing, f)} onClose={() => setEditing(null)} />}
      {revoking !== null && (
        <Dialog title={`Revoke ${revoking.name}?`} onClose={() => setRevoking(null)}>
          <p>Requests with this key are refused from now on (401). This cannot be undone.</p>
          <div class="dialog-actions">
            <button type="button" class="ghost" onClick={() => setRevoking(null)}>
              Cancel
            </button>
            <button type="button" class="danger" onClick={() => void revoke(revoking)} data-testid="confirm-revoke">
              Revoke
            </button>
          </div>
        </Dialog>
      )}
      {secret !== null && <SecretDialog name={secret.name} secret={secret.key} onClose={() => setSecret(null)} />}
    </section>
  );
}

function SpendBar({ k }: { k: KeyInfo }) {
  const spend = k.spendUsd ?? 0;
  if (k.budget === null) return <span>{formatUsd(spend)}</span>;
  const share = k.budget.usd > 0 ? spend / k.budget.usd : 1;
  const level = share >= 1 ? 'bad' : share >= 0.8 ? 'warn' : 'ok';
  return (
    <div class="spend">
      <span>
        {formatUsd(spend)} <span class="muted">/ {formatUsd(k.budget.usd)} a {k.budget.period === 'total' ? 'lifetime' : k.budget.period}</span>
      </span>
      <div class={`bar ${level}`} role="meter" aria-valuemin={0} aria-valuemax={k.budget.usd} aria-valuenow={spend} aria-label={`${formatPercent(share)} of budget spent`}>
        <div style={{ width: `${Math.min(100, share * 100)}%` }} />
      </div>
    </div>
  );
}

/** A modal <dialog>: the browser traps focus and closes it on Escape. */
export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d !== null && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby="dialog-title">
      <h2 id="dialog-title">{title}</h2>
      {children}
    </dialog>
  );
}

function KeyDialog({ title, initial, submitLabel, fixedName = false, onSubmit, onClose }: { title: string; initial: KeyForm; submitLabel: string; fixedName?: boolean; onSubmit: (f: KeyForm) => Promise<string | null>; onClose: () => void }) {
  const [f, setF] = useState<KeyForm>(initial);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (k: keyof KeyForm) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    const problem = await onSubmit(f);
    setBusy(false);
    if (problem !== null) setError(problem);
  };
  return (
    <Dialog title={title} onClose={onClose}>
      <form class="key-form" onSubmit={submit}>
        {!fixedName && (
          <label>
            <span>Name</span>
            <input name="name" required value={f.name} onInput={set('name')} autofocus />
          </label>
        )}
        <label>
          <span>Models (comma list, globs allowed; empty: all)</span>
          <input name="models" value={f.models} onInput={set('models')} placeholder="gpt-4o*, claude-*" />
        </label>
        <div class="row">
          <label>
            <span>Requests / min</span>
            <input name="rpm" type="number" min="0" step="1" value={f.rpm} onInput={set('rpm')} placeholder="default" />
          </label>
          <label>
            <span>Tokens / min</span>
            <input name="tpm" type="number" min="0" step="1" value={f.tpm} onInput={set('tpm')} placeholder="default" />
          </label>
        </div>
        <div class="row">
          <label>
            <span>Budget (USD)</span>
            <input name="budget" type="number" min="0" step="0.01" value={f.budgetUsd} onInput={set('budgetUsd')} placeholder="none" />
          </label>
          <label>
            <span>per</span>
            <select name="period" value={f.period} onChange={set('period')}>
              {PERIODS.map((p) => (
                <option value={p} key={p}>
                  {p === 'total' ? 'lifetime' : p}
                </option>
              ))}
            </select>
          </label>
        </div>
        <label>
          <span>Expires (UTC date; empty: never)</span>
          <input name="expires" type="date" value={f.expiresAt} onInput={set('expiresAt')} />
        </label>
        <ErrorNote error={error} />
        <div class="dialog-actions">
          <button type="button" class="ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function SecretDialog({ name, secret, onClose }: { name: string; secret: string; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <Dialog title={`Key ${name} created`} onClose={onClose}>
      <p>Copy the key now: it is shown this once and stored only as a hash.</p>
      <div class="secret">
        <code data-testid="new-key-secret">{secret}</code>
        <button type="button" class="ghost small" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <div class="dialog-actions">
        <button type="button" onClick={onClose} autofocus>
          Done
        </button>
      </div>
    </Dialog>
  );
}
