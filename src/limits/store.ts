/** A 60-second sliding window, the same for every store. */
export const WINDOW_MS = 60_000;

export interface Admission {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** ms until the oldest request in the window leaves it (a slot frees up). */
  resetMs: number;
}

export interface TokenUsage {
  used: number;
  /** ms until the oldest counted tokens leave the window. */
  resetMs: number;
}

/**
 * Where limit state lives. `memory` for one process; `redis` so that any number of instances
 * share one window per key. Each call must be atomic for its key.
 */
export interface RateStore {
  /** Admits and records one request when fewer than `limit` were admitted in the window. */
  admit(id: string, limit: number): Promise<Admission>;
  tokensUsed(id: string): Promise<TokenUsage>;
  addTokens(id: string, tokens: number): Promise<void>;
  close(): Promise<void>;
}
