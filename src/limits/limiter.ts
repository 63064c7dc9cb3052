import cluster from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { formatResetDuration } from '../config/units.ts';
import { GatewayError } from '../core/errors.ts';
import type { Operation } from '../core/protocol.ts';
import { MemoryStore } from './memory-store.ts';
import type { RateStore } from './store.ts';

/** Who a limit applies to: a key (by name) with its own overrides, or a client IP when auth is off. */
export interface LimitSubject {
  id: string;
  rpm: number;
  tpm: number;
}

/**
 * RPM and TPM per key over a sliding 60 s window, with OpenAI's x-ratelimit-* headers.
 * Requests are admitted (and counted) before they are sent; tokens are counted when the
 * answer reports its usage, and a key over its TPM is refused until the window frees up.
 */
export class RateLimiter {
  readonly store: RateStore;
  /** The settings this limiter was built for; a reload rebuilds it only when they change. */
  readonly signature: string;

  static signatureOf(settings: Config['rate_limit']): string {
    return JSON.stringify({ store: settings?.store ?? 'memory', url: settings?.store === 'redis' ? settings.redis_url : undefined });
  }

  private constructor(settings: Config['rate_limit'], store: RateStore) {
    this.signature = RateLimiter.signatureOf(settings);
    this.store = store;
  }

  /** The Redis client is loaded only when the config asks for it: it costs memory a laptop gateway need not pay. */
  static async create(settings: Config['rate_limit'], logger: Logger): Promise<RateLimiter> {
    if (settings?.store !== 'redis') {
      // A cluster worker shares the primary's window, so the limit holds for the whole process group.
      if (cluster.isWorker) {
        const { PrimaryStore } = await import('./primary-store.ts');
        return new RateLimiter(settings, new PrimaryStore());
      }
      return new RateLimiter(settings, new MemoryStore());
    }
    const { RedisStore } = await import('./redis-store.ts');
    return new RateLimiter(settings, new RedisStore(settings.redis_url, logger));
  }

  /** Admits one request or throws a 429; returns the headers for the answer. */
  async admit(subject: LimitSubject): Promise<Record<string, string>> {
    const headers: Record<string, string> = {};
    if (subject.tpm > 0) {
      const usage = await this.store.tokensUsed(subject.id);
      const remaining = Math.max(0, subject.tpm - usage.used);
      headers['x-ratelimit-limit-tokens'] = String(subject.tpm);
      headers['x-ratelimit-remaining-tokens'] = String(remaining);
      headers['x-ratelimit-reset-tokens'] = formatResetDuration(usage.resetMs);
      if (remaining === 0) throw limited(`Rate limit reached: ${subject.tpm} tokens per minute.`, usage.resetMs, headers);
    }
    if (subject.rpm > 0) {
      const a = await this.store.admit(subject.id, subject.rpm);
      headers['x-ratelimit-limit-requests'] = String(a.limit);
      headers['x-ratelimit-remaining-requests'] = String(a.remaining);
      headers['x-ratelimit-reset-requests'] = formatResetDuration(a.resetMs);
      if (!a.allowed) throw limited(`Rate limit reached: ${subject.rpm} requests per minute.`, a.resetMs, headers);
    }
    return headers;
  }

  async recordTokens(subject: LimitSubject, tokens: number): Promise<void> {
    if (subject.tpm > 0 && tokens > 0) await this.store.addTokens(subject.id, tokens);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

function limited(message: string, resetMs: number, headers: Record<string, string>): GatewayError {
  return new GatewayError('rate_limited', message, { retryAfter: Math.max(1, Math.ceil(resetMs / 1000)), headers: { ...headers } });
}

/** The limits that apply to a request: the key's own, else the `rate_limit` defaults. */
export function limitSubject(config: Config, key: { name: string; rpm: number | undefined; tpm: number | undefined } | undefined, clientIp: string): LimitSubject | undefined {
  const rpm = key?.rpm ?? config.rate_limit?.rpm ?? 0;
  const tpm = key?.tpm ?? config.rate_limit?.tpm ?? 0;
  if (rpm === 0 && tpm === 0) return undefined;
  return { id: key === undefined ? `ip:${clientIp}` : `key:${key.name}`, rpm, tpm };
}

/**
 * The limits for one request of `op`. Token counts (Claude Code asks for one before most turns)
 * are limited in a bucket of their own, so they neither eat a key's chat budget nor reach the
 * provider without limit: `count_tokens_rpm` (the key's, else rate_limit's), else the key's rpm.
 */
export function limitSubjectFor(op: Operation, config: Config, key: { name: string; rpm: number | undefined; tpm: number | undefined; countTokensRpm?: number | undefined } | undefined, clientIp: string): LimitSubject | undefined {
  if (op !== 'count_tokens') return limitSubject(config, key, clientIp);
  const rpm = key?.countTokensRpm ?? config.rate_limit?.count_tokens_rpm ?? key?.rpm ?? config.rate_limit?.rpm ?? 0;
  if (rpm === 0) return undefined;
  return { id: `count:${key === undefined ? `ip:${clientIp}` : `key:${key.name}`}`, rpm, tpm: 0 };
}
