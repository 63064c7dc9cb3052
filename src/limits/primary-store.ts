import type { Worker } from 'node:cluster';
import { MemoryStore } from './memory-store.ts';
import type { Admission, RateStore, TokenUsage } from './store.ts';

/**
 * With `--workers N` and the memory store, limits live in the primary process: each worker asks it
 * over the cluster IPC channel, so N workers together admit exactly the limit.
 */
interface LimitCall {
  llmuxLimit: true;
  id: number;
  op: 'admit' | 'tokensUsed' | 'addTokens';
  key: string;
  n: number;
}

interface LimitReply {
  llmuxLimitReply: true;
  id: number;
  result: Admission | TokenUsage | null;
}

function isCall(message: unknown): message is LimitCall {
  return typeof message === 'object' && message !== null && (message as { llmuxLimit?: unknown }).llmuxLimit === true;
}

function isReply(message: unknown): message is LimitReply {
  return typeof message === 'object' && message !== null && (message as { llmuxLimitReply?: unknown }).llmuxLimitReply === true;
}

/** Primary side: answers the workers' limit calls from one MemoryStore. */
export function serveLimitsToWorker(worker: Worker, store: MemoryStore): void {
  worker.on('message', (message: unknown) => {
    if (!isCall(message)) return;
    const answer = (result: Admission | TokenUsage | null): void => {
      if (worker.isConnected()) worker.send({ llmuxLimitReply: true, id: message.id, result } satisfies LimitReply);
    };
    if (message.op === 'admit') answer(store.admitSync(message.key, message.n));
    else if (message.op === 'tokensUsed') void store.tokensUsed(message.key).then(answer);
    else void store.addTokens(message.key, message.n).then(() => answer(null));
  });
}

/** Worker side: the RateStore that asks the primary. */
export class PrimaryStore implements RateStore {
  readonly #pending = new Map<number, (result: unknown) => void>();
  #next = 0;
  readonly #onMessage = (message: unknown): void => {
    if (!isReply(message)) return;
    const resolve = this.#pending.get(message.id);
    this.#pending.delete(message.id);
    resolve?.(message.result);
  };

  constructor() {
    process.on('message', this.#onMessage);
  }

  #call<T>(op: LimitCall['op'], key: string, n: number): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, resolve as (result: unknown) => void);
      const sent = process.send?.({ llmuxLimit: true, id, op, key, n } satisfies LimitCall, undefined, {}, (error) => {
        if (error !== null) {
          this.#pending.delete(id);
          reject(error);
        }
      });
      if (sent === undefined) {
        this.#pending.delete(id);
        reject(new Error('no IPC channel to the primary'));
      }
    });
  }

  admit(id: string, limit: number): Promise<Admission> {
    return this.#call('admit', id, limit);
  }

  tokensUsed(id: string): Promise<TokenUsage> {
    return this.#call('tokensUsed', id, 0);
  }

  async addTokens(id: string, tokens: number): Promise<void> {
    await this.#call('addTokens', id, tokens);
  }

  async close(): Promise<void> {
    process.off('message', this.#onMessage);
  }
}
