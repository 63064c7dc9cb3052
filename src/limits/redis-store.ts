import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { MemoryStore } from './memory-store.ts';
import { WINDOW_MS, type Admission, type RateStore, type TokenUsage } from './store.ts';

/**
 * Sliding-window log in a sorted set, trimmed, counted and appended in one script, timed by the
 * Redis clock: every instance sees the same window, so N instances together admit exactly `limit`.
 */
const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
  allowed = 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local reset = 0
if oldest[2] then reset = tonumber(oldest[2]) + window - now end
return {allowed, count, reset}
`;

/** Tokens per second in a hash; old seconds are dropped as the window is summed. */
const TOKENS_USED = `
local t = redis.call('TIME')
local second = tonumber(t[1])
local first = second - tonumber(ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local used, oldest = 0, nil
for i = 1, #all, 2 do
  local s = tonumber(all[i])
  if s <= first then redis.call('HDEL', KEYS[1], all[i])
  else
    used = used + tonumber(all[i + 1])
    if oldest == nil or s < oldest then oldest = s end
  end
end
local reset = 0
if oldest then reset = (oldest + 1 + tonumber(ARGV[1])) * 1000 - (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) end
return {used, reset}
`;

const ADD_TOKENS = `
local t = redis.call('TIME')
redis.call('HINCRBY', KEYS[1], t[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]) + 2)
return 1
`;

/**
 * Limits shared through Redis. While Redis is unreachable each instance enforces the limits
 * locally (neither failing open nor refusing everything) and says so once in the log.
 */
export class RedisStore implements RateStore {
  readonly #redis: Redis;
  readonly #local = new MemoryStore();
  readonly #logger: Logger;
  readonly #instance = randomBytes(6).toString('hex');
  #seq = 0;
  #degraded = false;

  constructor(url: string, logger: Logger) {
    this.#logger = logger;
    this.#redis = new Redis(url, {
      // Fail fast while disconnected: a request must not wait for Redis to come back.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      commandTimeout: 1000,
      lazyConnect: false,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    this.#redis.on('error', () => this.#degrade('connection error'));
    this.#redis.on('ready', () => {
      if (this.#degraded) this.#logger.info('redis reachable again: rate limits are shared across instances');
      this.#degraded = false;
    });
    this.#redis.defineCommand('llmuxAdmit', { numberOfKeys: 1, lua: ADMIT });
    this.#redis.defineCommand('llmuxTokensUsed', { numberOfKeys: 1, lua: TOKENS_USED });
    this.#redis.defineCommand('llmuxAddTokens', { numberOfKeys: 1, lua: ADD_TOKENS });
  }

  #degrade(why: string): void {
    if (!this.#degraded) this.#logger.warn({ reason: why }, 'redis unreachable: enforcing rate limits locally until it returns');
    this.#degraded = true;
  }

  async #call<T>(shared: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    if (this.#redis.status !== 'ready') {
      this.#degrade(`status ${this.#redis.status}`);
      return local();
    }
    try {
      return await shared();
    } catch (error) {
      this.#degrade((error as Error).message);
      return local();
    }
  }

  admit(id: string, limit: number): Promise<Admission> {
    return this.#call(
      async () => {
        const member = `${this.#instance}:${this.#seq++}`;
        const [allowed, count, reset] = (await (this.#redis as unknown as Commands).llmuxAdmit(`llmux:rl:req:${id}`, limit, WINDOW_MS, member)) as [number, number, number];
        return { allowed: allowed === 1, limit, remaining: Math.max(0, limit - count), resetMs: reset };
      },
      () => this.#local.admit(id, limit),
    );
  }

  tokensUsed(id: string): Promise<TokenUsage> {
    return this.#call(
      async () => {
        const [used, reset] = (await (this.#redis as unknown as Commands).llmuxTokensUsed(`llmux:rl:tok:${id}`, WINDOW_MS / 1000)) as [number, number];
        return { used, resetMs: reset };
      },
      () => this.#local.tokensUsed(id),
    );
  }

  addTokens(id: string, tokens: number): Promise<void> {
    return this.#call(
      async () => {
        await (this.#redis as unknown as Commands).llmuxAddTokens(`llmux:rl:tok:${id}`, tokens, WINDOW_MS / 1000);
      },
      () => this.#local.addTokens(id, tokens),
    );
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}

interface Commands {
  llmuxAdmit(key: string, limit: number, window: number, member: string): Promise<unknown>;
  llmuxTokensUsed(key: string, windowSeconds: number): Promise<unknown>;
  llmuxAddTokens(key: string, tokens: number, windowSeconds: number): Promise<unknown>;
}
