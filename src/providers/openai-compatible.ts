import type { ProviderConfig } from '../config/schema.ts';
import { keyRotator, splitBaseUrl, type CallInput, type ProviderAdapter, type UpstreamCall } from './provider.ts';
import { type Operation } from '../core/protocol.ts';

const PATHS: Record<Operation, string | undefined> = {
  chat: '/chat/completions',
  completions: '/completions',
  embeddings: '/embeddings',
  embed_content: undefined,
  count_tokens: undefined,
};

/** The Responses API's own endpoints, for requests that arrive in it. */
const RESPONSES_PATHS: Partial<Record<Operation, string>> = { chat: '/responses', completions: '/responses', count_tokens: '/responses/input_tokens' };

/** Any OpenAI-compatible service: OpenAI, Azure-style gateways, DashScope, DeepSeek, Ollama, vLLM… */
export function createOpenAIProvider(config: ProviderConfig): ProviderAdapter {
  const { origin, basePath } = splitBaseUrl(config.base_url ?? 'https://api.openai.com/v1');
  const nextKey = keyRotator(config);
  const baseHeaders = { ...(config.headers ?? {}) };

  const headersFor = (credential: string | undefined, json: boolean): Record<string, string> => {
    const headers: Record<string, string> = { ...baseHeaders };
    if (json) headers['content-type'] = 'application/json';
    if (credential !== undefined) headers['authorization'] = `Bearer ${credential}`;
    return headers;
  };

  // OpenAI itself serves the Responses API; other compatible servers say so with `responses: true`.
  const responses = config.responses ?? new URL(origin).hostname === 'api.openai.com';

  return {
    name: config.name,
    type: config.type,
    protocol: 'openai',
    ...(responses ? { alsoSpeaks: ['responses'] as const } : {}),
    origin,
    config,
    // OpenAI itself rejects max_tokens for its reasoning models; other compatible servers often know only max_tokens.
    inlineImages: false,
    encodeOptions: { maxTokensField: new URL(origin).hostname === 'api.openai.com' ? 'max_completion_tokens' : 'max_tokens' },
    // Token counts exist only in the Responses API (`/responses/input_tokens`).
    supports: (op) => PATHS[op] !== undefined || (op === 'count_tokens' && responses),
    call(op: Operation, input: CallInput): UpstreamCall {
      const path = input.protocol === 'responses' ? RESPONSES_PATHS[op] : PATHS[op];
      if (path === undefined) throw new Error(`openai providers have no ${op} endpoint`);
      const credential = nextKey() ?? input.clientCredential;
      return { method: 'POST', path: basePath + path, headers: headersFor(credential, true), body: input.body };
    },
    modelsCall: () => ({ method: 'GET', path: `${basePath}/models`, headers: headersFor(nextKey(), false) }),
    parseModels(body) {
      const data = (body as { data?: unknown } | null)?.data;
      if (!Array.isArray(data)) return [];
      const ids: string[] = [];
      for (const entry of data) {
        const id = (entry as { id?: unknown } | null)?.id;
        if (typeof id === 'string' && id !== '') ids.push(id);
      }
      return ids;
    },
  };
}
