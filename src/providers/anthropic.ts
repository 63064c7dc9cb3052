import type { ProviderConfig } from '../config/schema.ts';
import { keyRotator, splitBaseUrl, type CallInput, type ProviderAdapter, type UpstreamCall } from './provider.ts';
import { type Operation } from '../core/protocol.ts';

const DEFAULT_VERSION = '2023-06-01';

/** Anthropic Messages API: `x-api-key` and `anthropic-version`; base_url is the bare host. */
export function createAnthropicProvider(config: ProviderConfig): ProviderAdapter {
  const { origin, basePath } = splitBaseUrl(config.base_url ?? 'https://api.anthropic.com');
  const prefix = basePath.endsWith('/v1') ? basePath : `${basePath}/v1`;
  const nextKey = keyRotator(config);
  const version = config.anthropic_version ?? DEFAULT_VERSION;

  const headersFor = (credential: string | undefined, clientHeaders: CallInput['clientHeaders'] | undefined): Record<string, string> => {
    const headers: Record<string, string> = { ...(config.headers ?? {}), 'content-type': 'application/json' };
    // An Anthropic client's own version and beta flags win: they describe the body it sent.
    const clientVersion = clientHeaders?.['anthropic-version'];
    headers['anthropic-version'] = typeof clientVersion === 'string' && clientVersion !== '' ? clientVersion : version;
    const beta = clientHeaders?.['anthropic-beta'];
    if (typeof beta === 'string' && beta !== '') headers['anthropic-beta'] = beta;
    if (credential !== undefined) headers['x-api-key'] = credential;
    return headers;
  };

  return {
    name: config.name,
    type: config.type,
    protocol: 'anthropic',
    origin,
    config,
    inlineImages: false,
    encodeOptions: {},
    supports: (op) => op === 'chat' || op === 'count_tokens',
    call(op: Operation, input: CallInput): UpstreamCall {
      const path = op === 'chat' ? '/messages' : op === 'count_tokens' ? '/messages/count_tokens' : undefined;
      if (path === undefined) throw new Error(`anthropic providers have no ${op} endpoint`);
      return { method: 'POST', path: prefix + path, headers: headersFor(nextKey() ?? input.clientCredential, input.clientHeaders), body: input.body };
    },
    modelsCall: () => ({ method: 'GET', path: `${prefix}/models?limit=1000`, headers: headersFor(nextKey(), undefined) }),
    parseModels(body) {
      const data = (body as { data?: unknown } | null)?.data;
      if (!Array.isArray(data)) return [];
      return data.map((m) => (m as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string' && id !== '');
    },
  };
}
