import { useState } from 'preact/hooks';

/** Asks for the admin key once; the app keeps it for this browser tab only (sessionStorage). */
export function Login({ onSubmit, notice }: { onSubmit: (key: string) => Promise<string | null>; notice: string }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(notice);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (key.trim() === '') return;
    setBusy(true);
    const problem = await onSubmit(key.trim());
    setBusy(false);
    if (problem !== null) setError(problem);
  };
  return (
    <main class="login">
      <form onSubmit={submit} aria-describedby="login-help">
        <h1>llmux console</h1>
        <p id="login-help" class="muted">
          Enter an admin key (one of <code>admin.api_keys</code>). It is kept for this browser tab only.
        </p>
        <label for="admin-key">Admin key</label>
        <input id="admin-key" name="admin-key" type="password" autocomplete="current-password" autofocus value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        {error !== '' && (
          <p class="error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Open console'}
        </button>
      </form>
    </main>
  );
}
