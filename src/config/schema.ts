import { z } from 'zod';
import { closest } from '../core/did-you-mean.ts';
import { parseDuration, parseSize } from './units.ts';

/**
 * The one definition of the config's shape. Keys stay snake_case as users write them, so
 * an error path printed to the user is the path in their file. Durations become milliseconds and
 * sizes bytes during validation.
 */

const duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDuration(numeric(value));
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `must be a duration like "500ms", "30s", "5m" or a number of seconds (got ${JSON.stringify(value)})` });
    return z.NEVER;
  }
  return ms;
});

const size = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const bytes = parseSize(numeric(value));
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: `must be a size like "20mb", "512kb" or a number of bytes (got ${JSON.stringify(value)})` });
    return z.NEVER;
  }
  return bytes;
});

/** Numbers and booleans may arrive as strings from `${VAR}`; read them as what they say. */
const numeric = (v: unknown): unknown => (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v);
const boolish = (v: unknown): unknown => (v === 'true' ? true : v === 'false' ? false : v);
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.preprocess(numeric, z.number().int().min(min).max(max));
const bool = () => z.preprocess(boolish, z.boolean());

const httpUrl = z.string().refine((s) => /^https?:\/\/[^\s/]+/i.test(s), { message: 'must be an http(s) URL' });

export const PROVIDER_TYPES = ['openai', 'anthropic', 'gemini', 'gemini-cli', 'codegeex', 'qwen', 'openai-responses'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

const providerSchema = z.strictObject({
  name: z
    .string()
    .min(1, 'must not be empty')
    .refine((s) => !s.includes('/'), { message: 'must not contain "/" (it separates provider and model)' }),
  type: z.enum(PROVIDER_TYPES).default('openai'),
  base_url: httpUrl.optional(),
  api_key: z.string().optional(),
  api_keys: z.array(z.string().min(1)).min(1).optional(),
  weight: int(1).default(1),
  models: z.array(z.string().min(1)).optional(),
  models_refresh: duration.default(600_000),
  headers: z.record(z.string(), z.string()).optional(),
  timeout: duration.default(600_000),
  connect_timeout: duration.default(10_000),
  /** Longest silence allowed between two chunks of an answer (a stalled stream ends with an error event). */
  idle_timeout: duration.default(300_000),
  anthropic_version: z.string().optional(),
  /** openai: Responses API requests go to its /responses as they are (default: true for api.openai.com). */
  responses: bool().optional(),
  project_id: z.string().optional(),
  oauth_creds_file: z.string().optional(),
  oauth_token_url: httpUrl.optional(),
  /** gemini-cli: the OAuth client the token was issued to (default: the Gemini CLI's own, which issued its credentials files). */
  oauth_client_id: z.string().min(1).optional(),
  oauth_client_secret: z.string().min(1).optional(),
  /** codegeex / qwen: the web token; gemini-cli (OpenAICompatible): the OAuth token object itself. */
  token: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
  /** Where an inline `token` lives, so a refreshed one is written back there (set by the OpenAICompatible loader). */
  token_location: z.strictObject({ file: z.string().min(1), pointer: z.array(z.union([z.string(), z.number()])) }).optional(),
  // CodeGeeX identity fields (OpenAICompatible).
  user_id: z.string().optional(),
  user_role: int(0).optional(),
  ide: z.string().optional(),
  ide_version: z.string().optional(),
  plugin_version: z.string().optional(),
  machine_id: z.string().optional(),
  talk_id: z.string().optional(),
  locale: z.string().optional(),
});

const aliasTarget = z.union([
  z.string().min(1),
  z.strictObject({ target: z.string().min(1), weight: int(1).optional() }),
]);

const ruleSchema = z.strictObject({
  match_model: z.string().min(1),
  match_provider: z.string().min(1).optional(),
  unset: z.array(z.string().min(1)).optional(),
  set: z.record(z.string(), z.unknown()).optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
});

/** Spend allowed per calendar-UTC period; `total` never rolls over. */
export const budgetSchema = z.strictObject({
  usd: z.preprocess(numeric, z.number().min(0)),
  period: z.enum(['day', 'week', 'month', 'total']).default('month'),
});

const apiKeySchema = z.strictObject({
  key: z.string().min(1, 'must not be empty'),
  name: z.string().min(1).optional(),
  rpm: int(0).optional(),
  tpm: int(0).optional(),
  /** Token-count requests per minute, a bucket apart from rpm (default: rpm). */
  count_tokens_rpm: int(0).optional(),
  models: z.array(z.string().min(1)).optional(),
  budget: budgetSchema.optional(),
});

/** USD per 1M tokens for one model, as providers publish them. */
const priceSchema = z.strictObject({
  input: z.preprocess(numeric, z.number().min(0)),
  output: z.preprocess(numeric, z.number().min(0)),
  cached_input: z.preprocess(numeric, z.number().min(0)).optional(),
  cache_write: z.preprocess(numeric, z.number().min(0)).optional(),
  reasoning: z.preprocess(numeric, z.number().min(0)).optional(),
});

export const configSchema = z
  .strictObject({
    server: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1'),
        port: int(0, 65535).default(8080),
        body_limit: size.default(20 * 1024 * 1024),
        cors: z.strictObject({ origins: z.array(z.string().min(1)).default(['*']) }).optional(),
        drain_timeout: duration.default(30_000),
        /** Open client connections at most (applies at start). */
        max_connections: int(1).default(10_000),
      })
      .prefault({}),
    auth: z
      .strictObject({
        api_keys: z.array(apiKeySchema).default([]),
        forward_auth: bool().default(false),
      })
      .prefault({}),
    rate_limit: z
      .strictObject({
        rpm: int(0).default(0),
        tpm: int(0).default(0),
        /** Token-count requests per minute, a bucket apart from rpm (default: rpm). */
        count_tokens_rpm: int(0).optional(),
        store: z.enum(['memory', 'redis']).default('memory'),
        redis_url: z.string().default('redis://127.0.0.1:6379'),
      })
      .optional(),
    providers: z.array(providerSchema).default([]),
    routing: z
      .strictObject({
        mode: z.enum(['merge', 'prefix']).default('merge'),
        aliases: z.record(z.string().min(1), z.union([aliasTarget, z.array(aliasTarget).min(1)])).default({}),
        fallbacks: z.record(z.string().min(1), z.array(z.string().min(1))).default({}),
        retries: int(0, 10).default(2),
      })
      .prefault({}),
    model_rules: z.array(ruleSchema).default([]),
    health_check: z
      .strictObject({
        enabled: bool().default(true),
        interval: duration.default(30_000),
        failure_threshold: int(1).default(3),
        cooldown: duration.default(30_000),
      })
      .prefault({}),
    logging: z
      .strictObject({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
        format: z.enum(['json', 'pretty']).default('json'),
        requests: bool().default(true),
      })
      .prefault({}),
    metrics: z.strictObject({ enabled: bool().default(true) }).prefault({}),
    /** Image URLs fetched and inlined for providers that take only inline images. */
    images: z
      .strictObject({
        fetch: bool().default(true),
        allow_hosts: z.array(z.string().min(1)).default([]),
        allow_private: bool().default(false),
      })
      .prefault({}),
    usage: z
      .strictObject({
        store: z.enum(['sqlite', 'postgres', 'off']).default('sqlite'),
        path: z.string().min(1).default('llmux-usage.db'),
        postgres_url: z.string().min(1).optional(),
        retention: duration.default(90 * 86_400_000),
        flush_interval: duration.default(1000),
        prices: z.record(z.string().min(1), priceSchema).default({}),
      })
      .prefault({}),
    // `${LLMUX_ADMIN_KEY}` unset expands to "": no admin key rather than an error.
    admin: z.strictObject({ api_keys: z.array(z.string()).default([]).transform((keys) => keys.filter((k) => k !== '')) }).prefault({}),
    responses: z
      .strictObject({
        store: z.enum(['memory', 'redis', 'off']).default('memory'),
        ttl: duration.default(86_400_000),
        /** Memory store bounds: responses kept, and their total size; least recently used dropped first. */
        max_entries: int(1).default(10_000),
        max_memory: size.default(256 * 1024 * 1024),
        /** Hosted tools (web_search…) for a provider that cannot run them: dropped and reported, or a 400. */
        hosted_tools: z.enum(['drop', 'reject']).default('drop'),
        /** Default: rate_limit.redis_url. */
        redis_url: z.string().optional(),
      })
      .prefault({}),
  })
  .superRefine((cfg, ctx) => {
    const names = new Map<string, number>();
    cfg.providers.forEach((p, i) => {
      const first = names.get(p.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['providers', i, 'name'], message: `duplicate provider name "${p.name}" (also providers[${first}])` });
      } else names.set(p.name, i);
      if (p.api_key !== undefined && p.api_keys !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['providers', i, 'api_keys'], message: 'give either api_key or api_keys, not both' });
      }
    });
    for (const [alias, raw] of Object.entries(cfg.routing.aliases)) {
      const targets = Array.isArray(raw) ? raw : [raw];
      targets.forEach((t, j) => {
        const target = typeof t === 'string' ? t : t.target;
        const slash = target.indexOf('/');
        const path = ['routing', 'aliases', alias, j];
        if (slash <= 0 || slash === target.length - 1) {
          ctx.addIssue({ code: 'custom', path, message: `must be "<provider>/<model>" (got "${target}")` });
        } else if (!names.has(target.slice(0, slash))) {
          ctx.addIssue({ code: 'custom', path, message: `unknown provider "${target.slice(0, slash)}"${hint(target.slice(0, slash), [...names.keys()])}` });
        }
      });
    }
    if (cfg.usage.store === 'postgres' && cfg.usage.postgres_url === undefined) {
      ctx.addIssue({ code: 'custom', path: ['usage', 'postgres_url'], message: 'is required with usage.store: postgres (postgres://user:password@host:5432/db)' });
    }
    cfg.model_rules.forEach((r, i) => {
      if (r.match_provider !== undefined && !names.has(r.match_provider)) {
        ctx.addIssue({ code: 'custom', path: ['model_rules', i, 'match_provider'], message: `unknown provider "${r.match_provider}"${hint(r.match_provider, [...names.keys()])}` });
      }
    });
  });

function hint(word: string, candidates: string[]): string {
  const best = closest(word, candidates);
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

export type Config = z.output<typeof configSchema>;
export type ProviderConfig = Config['providers'][number];
export type ModelRule = Config['model_rules'][number];
export type ApiKeyConfig = Config['auth']['api_keys'][number];
export type UsageConfig = Config['usage'];
export type ModelPriceConfig = Config['usage']['prices'][string];
export type Budget = z.output<typeof budgetSchema>;
