import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { GatewayError } from '../core/errors.ts';
import { itemsOf, type ResponseStore, type StoredResponse } from './store.ts';

/**
 * Stored responses in Redis, shared by every replica: one string per response
 * (`llmux:resp:{id}`) and one per item id pointing at its response (`llmux:resp-item:{id}`),
 * all expiring after the TTL. Unlike rate limits there is no local fallback: a chain stored on one
 * replica cannot be read from another's memory, so a Redis outage is an error the client sees.
 */
export class RedisResponseStore implements ResponseStore {
  readonly kind = 'redis';
  readonly signature: string;
  readonly #redis: Redis;
  readonly #ttlMs: number;

  constructor(url: string, ttlMs: number, signature: string, logger: Logger) {
    this.signature = signature;
    this.#ttlMs = ttlMs;
    this.#redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 2000, retryStrategy: (times) => Math.min(times * 200, 2000) });
    let warned = false;
    this.#redis.on('error', (error: Error) => {
      if (!warned) logger.warn({ reason: error.message }, 'redis unreachable: stored responses are unavailable until it returns');
      warned = true;
    });
    this.#redis.on('ready', () => {
      warned = false;
    });
  }

  /** A Redis failure is the gateway's, said plainly (503), not an internal error. */
  async #call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new GatewayError('no_provider', `Stored responses are unavailable: Redis did not answer (${(error as Error).message}).`, { cause: error, retryAfter: 1 });
    }
  }

  put(record: StoredResponse): Promise<void> {
    return this.#call(() => this.#put(record));
  }

  get(id: string, owner: string): Promise<StoredResponse | undefined> {
    return this.#call(() => this.#get(id, owner));
  }

  delete(id: string, owner: string): Promise<boolean> {
    return this.#call(() => this.#delete(id, owner));
  }

  item(id: string, owner: string): Promise<Record<string, unknown> | undefined> {
    return this.#call(() => this.#item(id, owner));
  }

  async #put(record: StoredResponse): Promise<void> {
    const multi = this.#redis.multi();
    multi.set(`llmux:resp:${record.id}`, JSON.stringify(record), 'PX', this.#ttlMs);
    for (const [itemId] of itemsOf(record)) multi.set(`llmux:resp-item:${itemId}`, record.id, 'PX', this.#ttlMs);
    await multi.exec();
  }

  async #get(id: string, owner: string): Promise<StoredResponse | undefined> {
    const text = await this.#redis.get(`llmux:resp:${id}`);
    if (text === null) return undefined;
    const record = JSON.parse(text) as StoredResponse;
    return record.owner === owner ? record : undefined;
  }

  async #delete(id: string, owner: string): Promise<boolean> {
    const record = await this.#get(id, owner);
    if (record === undefined) return false;
    await this.#redis.del(`llmux:resp:${id}`, ...itemsOf(record).map(([itemId]) => `llmux:resp-item:${itemId}`));
    return true;
  }

  async #item(id: string, owner: string): Promise<Record<string, unknown> | undefined> {
    const responseId = await this.#redis.get(`llmux:resp-item:${id}`);
    if (responseId === null) return undefined;
    const record = await this.#get(responseId, owner);
    return record === undefined ? undefined : itemsOf(record).find(([itemId]) => itemId === id)?.[1];
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}
