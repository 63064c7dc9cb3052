import { envValue, type DialectResult, type Env } from './dialect.ts';

/**
 * Seed 002 (go-aigateway): environment only, one OpenAI-compatible target (DashScope by default)
 * behind client keys and a per-minute limit. Every model name is forwarded to the target
 * (`models: ["*"]`), and the model list is the target's own (a "*" provider still discovers it).
 */
export const TARGET_ENV = ['TARGET_API_URL', 'TARGET_API_KEY'] as const;

export const DASHSCOPE_COMPATIBLE_URL = 'https://dashscope.aliyuncs.com/compatible-mode/v1';
export const DEFAULT_RPM = 60;

/** Whether the environment describes a go-aigateway set-up (the loader calls this only without a file). */
export function isGoAigatewayEnv(env: Env): boolean {
  return envValue(env, ...TARGET_ENV) !== undefined;
}

export function fromGoAigateway(env: Env): DialectResult {
  const warnings: string[] = [];
  const errors: string[] = [];
  const raw: Record<string, unknown> = {};

  const port = envValue(env, 'PORT');
  // go-aigateway answers CORS preflights for any origin; browser clients rely on it.
  raw['server'] = { ...(port === undefined ? {} : { port }), cors: { origins: ['*'] } };
  raw['providers'] = [
    {
      name: 'target',
      type: 'openai',
      base_url: envValue(env, 'TARGET_API_URL') ?? DASHSCOPE_COMPATIBLE_URL,
      ...(envValue(env, 'TARGET_API_KEY') === undefined ? {} : { api_key: envValue(env, 'TARGET_API_KEY') }),
      models: ['*'],
    },
  ];

  const keys = (envValue(env, 'GATEWAY_API_KEYS') ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '');
  if (keys.length > 0) raw['auth'] = { api_keys: keys.map((key, i) => ({ key, name: `gateway-key-${i + 1}` })) };

  raw['rate_limit'] = { rpm: envValue(env, 'RATE_LIMIT_REQUESTS_PER_MINUTE') ?? DEFAULT_RPM };

  const health = envValue(env, 'HEALTH_CHECK_ENABLED');
  if (health !== undefined) {
    const enabled = parseBool(health);
    if (enabled === undefined) errors.push(`HEALTH_CHECK_ENABLED: must be true or false (got "${health}")`);
    else raw['health_check'] = { enabled };
  }

  const logging: Record<string, unknown> = {};
  const level = envValue(env, 'LOG_LEVEL');
  if (level !== undefined) logging['level'] = LOG_LEVELS[level.toLowerCase()] ?? level;
  const format = envValue(env, 'LOG_FORMAT');
  if (format !== undefined) logging['format'] = format.toLowerCase() === 'text' ? 'pretty' : format.toLowerCase();
  if (Object.keys(logging).length > 0) raw['logging'] = logging;

  if (envValue(env, 'GIN_MODE') !== undefined) warnings.push('GIN_MODE: ignored (a setting of the Gin framework go-aigateway is built on)');
  return { raw, warnings, errors };
}

/** go-aigateway logs through logrus, whose level names differ slightly from pino's. */
const LOG_LEVELS: Readonly<Record<string, string>> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  fatal: 'fatal',
  panic: 'fatal',
};

function parseBool(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return undefined;
}
