import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { MemoryResponseStore } from './memory.ts';
import type { ResponseStore } from './store.ts';

export function storeSignature(config: Config): string {
  const r = config.responses;
  return JSON.stringify({ store: r.store, ttl: r.ttl, max: r.max_entries, bytes: r.max_memory, url: r.store === 'redis' ? redisUrl(config) : undefined });
}

function redisUrl(config: Config): string {
  return config.responses.redis_url ?? config.rate_limit?.redis_url ?? 'redis://127.0.0.1:6379';
}

/** undefined when storing is off. The Redis client is loaded only when the config asks for it. */
export async function createResponseStore(config: Config, logger: Logger): Promise<ResponseStore | undefined> {
  const r = config.responses;
  const signature = storeSignature(config);
  if (r.store === 'off') return undefined;
  if (r.store === 'memory') return new MemoryResponseStore(r.ttl, r.max_entries, r.max_memory, signature);
  const { RedisResponseStore } = await import('./redis.ts');
  return new RedisResponseStore(redisUrl(config), r.ttl, signature, logger);
}
