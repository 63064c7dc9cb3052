import type { ProviderConfig } from '../config/schema.ts';
import { keyRotator, splitBaseUrl, type CallInput, type ProviderAdapter, type UpstreamCall } from './provider.ts';
import { type Operation } from '../core/protocol.ts';

/** Gemini Generative Language API with an API key; base_url is the bare host. */
export function createGeminiProvider(config: ProviderConfig): ProviderAdapter {
  const { origin, basePath } = splitBaseUrl(config.base_url ?? 'https://generativelanguage.googleapis.com');
  const prefix = /\/v1(beta|alpha)?$/.test(basePath) ? basePath : `${basePath}/v1beta`;
  const nextKey = keyRotator(config);

  const headersFor = (credential: string | undefined, json: boolean): Record<string, string> => {
    const headers: Record<string, string> = { ...(config.headers ?? {}) };
    if (json) headers['content-type'] = 'application/json';
    if (credential !== undefined) headers['x-goog-api-key'] = credential;
    return headers;
  };

  return {
    name: config.name,
    type: config.type,
    protocol: 'gemini',
    origin,
    config,
    inlineImages: true,
    encodeOptions: {},
    supports: (op) => op !== 'completions',
    call(op: Operation, input: CallInput): UpstreamCall {
      const model = encodeURIComponent(input.model);
      let method: string;
      if (op === 'chat') method = input.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
      else if (op === 'embeddings') method = 'batchEmbedContents';
      else if (op === 'embed_content') method = 'embedContent';
      else if (op === 'count_tokens') method = 'countTokens';
      else throw new Error(`gemini providers have no ${op} endpoint`);
      return { method: 'POST', path: `${prefix}/models/${model}:${method}`, headers: headersFor(nextKey() ?? input.clientCredential, true), body: input.body };
    },
    modelsCall: () => ({ method: 'GET', path: `${prefix}/models?pageSize=1000`, headers: headersFor(nextKey(), false) }),
    parseModels(body) {
      const models = (body as { models?: unknown } | null)?.models;
      if (!Array.isArray(models)) return [];
      return models
        .map((m) => (m as { name?: unknown } | null)?.name)
        .filter((n): n is string => typeof n === 'string' && n !== '')
        .map((n) => (n.startsWith('models/') ? n.slice(7) : n));
    },
  };
}
