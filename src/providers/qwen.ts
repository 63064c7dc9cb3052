import type { ProviderConfig } from '../config/schema.ts';
import { GatewayError } from '../core/errors.ts';
import { withDefaults } from './json-body.ts';
import { keyRotator, splitBaseUrl, type CallInput, type ProviderAdapter, type UpstreamCall } from './provider.ts';
import { type Operation } from '../core/protocol.ts';
import { sideCall } from './side-call.ts';

const BROWSER_USER_AGENT = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36';

/**
 * Qwen web (chat.qwen.ai) with a browser session token (OpenAICompatible): `Authorization: Bearer`. Every
 * request first opens a chat (`POST /api/v2/chats/new`), then asks in it
 * (`POST /api/v2/chat/completions?chat_id=…`); models are `GET /api/models`. base_url is the host.
 * Not DashScope: DashScope is OpenAI-compatible and uses `type: openai`.
 */
export function createQwenProvider(config: ProviderConfig): ProviderAdapter {
  const { origin, basePath } = splitBaseUrl(config.base_url ?? 'https://chat.qwen.ai');
  const prefix = basePath.endsWith('/api') ? basePath : `${basePath}/api`;
  const nextKey = typeof config.token === 'string' ? () => config.token as string : keyRotator(config);

  const headersFor = (token: string | undefined, json: boolean): Record<string, string> => {
    const headers: Record<string, string> = { 'user-agent': BROWSER_USER_AGENT, source: 'web', ...(config.headers ?? {}) };
    if (json) headers['content-type'] = 'application/json';
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    return headers;
  };

  /** Opens the chat the answer will live in; Qwen web has no chat-less completion. */
  const newChat = async (token: string | undefined, model: string): Promise<string> => {
    const res = await sideCall(`${origin}${prefix}/v2/chats/new`, {
      method: 'POST',
      headers: headersFor(token, true),
      body: JSON.stringify({ title: 'New Chat', models: [model], chat_mode: 'normal', chat_type: 't2t', timestamp: Date.now() }),
      timeoutMs: Math.min(config.timeout, 30_000),
      step: 'opening a Qwen chat',
      provider: config.name,
    });
    const body = res.json as { success?: unknown; data?: { id?: unknown; details?: unknown; code?: unknown } } | undefined;
    const id = body?.data?.id;
    if (res.status === 200 && body?.success !== false && typeof id === 'string' && id !== '') return id;
    const detail = typeof body?.data?.details === 'string' ? `: ${body.data.details.slice(0, 300)}` : typeof body?.data?.code === 'string' ? `: ${body.data.code}` : '';
    if (res.status === 401 || res.status === 403 || body?.data?.code === 'Unauthorized') {
      throw new GatewayError('upstream_error', `provider "${config.name}" rejected its credentials (${res.status})${detail}`);
    }
    throw new GatewayError(res.status === 429 ? 'rate_limited' : 'upstream_error', `provider "${config.name}": opening a Qwen chat answered ${res.status}${detail}`);
  };

  return {
    name: config.name,
    type: config.type,
    protocol: 'qwen',
    origin,
    config,
    inlineImages: false,
    encodeOptions: {},
    supports: (op) => op === 'chat',
    async call(op: Operation, input: CallInput): Promise<UpstreamCall> {
      if (op !== 'chat') throw new Error(`qwen providers have no ${op} endpoint`);
      const token = nextKey() ?? input.clientCredential;
      const chatId = await newChat(token, input.model);
      const now = Math.floor(Date.now() / 1000);
      const body = JSON.parse(withDefaults(input.body, { chat_id: chatId, timestamp: now })) as { messages?: unknown };
      // The converter stays free of clocks; the web client stamps every message.
      if (Array.isArray(body.messages)) for (const m of body.messages) if (m !== null && typeof m === 'object') (m as Record<string, unknown>)['timestamp'] ??= now;
      return {
        method: 'POST',
        path: `${prefix}/v2/chat/completions?chat_id=${encodeURIComponent(chatId)}`,
        headers: { ...headersFor(token, true), accept: 'text/event-stream' },
        body: JSON.stringify(body),
      };
    },
    modelsCall: () => ({ method: 'GET', path: `${prefix}/models`, headers: headersFor(nextKey(), false) }),
    parseModels(body) {
      const data = (body as { data?: unknown } | null)?.data;
      if (!Array.isArray(data)) return [];
      return data.map((m) => (m as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string' && id !== '');
    },
  };
}
