import type { OAuthToken, RefreshedToken, TokenStore } from './oauth-file.ts';

/** Refresh when less than this is left, so no call goes out with a token about to lapse. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/**
 * A 401 this soon after a refresh most likely came back for a call sent with the old token: it is
 * retried with the fresh one rather than refreshing again, so a burst of rejected calls costs one
 * refresh. (The pipeline does not say which token a rejected call carried.)
 */
const RECENT_REFRESH_MS = 2_000;

export type Refresher = (refreshToken: string) => Promise<RefreshedToken>;

/**
 * One OAuth credential: its store, the token in use, and at most one refresh in flight. Every
 * caller that finds the token close to expiry (or rejected) waits for the same refresh, so a burst
 * of requests costs one call to the token endpoint and one write of the file.
 */
export class OAuthCredential {
  readonly #store: TokenStore;
  #refresher: Refresher;
  #token: OAuthToken | undefined;
  #pending: Promise<OAuthToken> | undefined;
  #refreshedAt = 0;
  /** The Code Assist project found for this credential, by API base. */
  readonly projects = new Map<string, Promise<string>>();

  constructor(store: TokenStore, refresher: Refresher) {
    this.#store = store;
    this.#refresher = refresher;
  }

  get label(): string {
    return this.#store.label;
  }

  /** A rebuilt provider (config reload) may bring other client settings: the latest ones refresh. */
  useRefresher(refresher: Refresher): void {
    this.#refresher = refresher;
  }

  /**
   * A token from a reloaded config: taken when it is a different grant or lasts longer than the one
   * in use (the config file may hold a token this process wrote back itself).
   */
  offer(token: OAuthToken): void {
    const current = this.#token;
    if (current === undefined || current.refreshToken !== token.refreshToken || (token.expiresAt ?? 0) > (current.expiresAt ?? 0)) this.#token = token;
  }

  /** A token good for at least REFRESH_MARGIN_MS more, refreshing first when needed. */
  async accessToken(): Promise<string> {
    const token = await this.#current();
    if (!needsRefresh(token)) return token.accessToken;
    return (await this.#refresh(false)).accessToken;
  }

  /** The upstream answered 401: refresh now. Returns whether a fresh token is ready for a retry. */
  async refreshAfterRejection(): Promise<boolean> {
    if (this.#pending === undefined && Date.now() - this.#refreshedAt < RECENT_REFRESH_MS) return true;
    try {
      await this.#refresh(true);
      return true;
    } catch {
      return false;
    }
  }

  async #current(): Promise<OAuthToken> {
    if (this.#token === undefined || (await this.#store.changed())) this.#token = await this.#store.load();
    return this.#token;
  }

  #refresh(force: boolean): Promise<OAuthToken> {
    this.#pending ??= (async () => {
      try {
        // Another program (the Gemini CLI itself) may have refreshed the file in the meantime.
        const latest = await this.#current();
        if (!force && !needsRefresh(latest)) return latest;
        const refreshed = await this.#refresher(latest.refreshToken);
        const token: OAuthToken = { accessToken: refreshed.access_token, refreshToken: refreshed.refresh_token ?? latest.refreshToken, expiresAt: refreshed.expiresAt };
        this.#token = token;
        this.#refreshedAt = Date.now();
        try {
          await this.#store.save(refreshed);
        } catch (error) {
          // The fresh token still serves from memory; the next start refreshes again.
          process.emitWarning(`could not write the refreshed OAuth token back to ${this.#store.label}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { code: 'LLMUX_TOKEN_WRITE' });
        }
        return token;
      } finally {
        this.#pending = undefined;
      }
    })();
    return this.#pending;
  }
}

function needsRefresh(token: OAuthToken): boolean {
  if (token.accessToken === '') return true;
  return token.expiresAt !== undefined && token.expiresAt - Date.now() < REFRESH_MARGIN_MS;
}

const MAX_CREDENTIALS = 256;
const credentials = new Map<string, OAuthCredential>();

/**
 * One credential object per token location for the whole process, so providers rebuilt by a
 * reload (or two providers sharing a file) share the refresh lock, the token and the project.
 * Bounded: the oldest entries go first.
 */
export function sharedCredential(key: string, create: () => OAuthCredential): OAuthCredential {
  let credential = credentials.get(key);
  if (credential === undefined) {
    credential = create();
    credentials.set(key, credential);
    while (credentials.size > MAX_CREDENTIALS) {
      const oldest = credentials.keys().next().value;
      if (oldest === undefined) break;
      credentials.delete(oldest);
    }
  }
  return credential;
}
