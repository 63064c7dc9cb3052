import { randomUUID } from 'node:crypto';
import type { ProviderConfig } from '../config/schema.ts';
import { withDefaults } from './json-body.ts';
import { keyRotator, splitBaseUrl, type CallInput, type ProviderAdapter, type UpstreamCall } from './provider.ts';
import { type Operation } from '../core/protocol.ts';

/** What the VS Code plugin sends; CodeGeeX serves clients that look like one of its IDE plugins. */
const VSCODE_USER_AGENT = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Code/1.102.0 Chrome/134.0.6998.205 Electron/35.6.0 Safari/537.36';

/**
 * CodeGeeX (codegeex.cn) with a plugin token (OpenAICompatible): `code-token` header, chat at
 * `/prod/code/chatCodeSseV3/chat` (always SSE), models at `/prod/v3/chat/model`. base_url is the
 * host, with or without `/prod`. The identity fields of the body come from the config; an unset
 * `talk_id` is a new conversation id per request (each request carries its whole history).
 * `token` (or api_key/api_keys, rotated) is the plugin token.
 */
export function createCodeGeexProvider(config: ProviderConfig): ProviderAdapter {
  const { origin, basePath } = splitBaseUrl(config.base_url ?? 'https://codegeex.cn');
  const prefix = basePath.endsWith('/prod') ? basePath : `${basePath}/prod`;
  const nextKey = typeof config.token === 'string' ? () => config.token as string : keyRotator(config);
  const machineId = config.machine_id ?? randomUUID().replaceAll('-', '');

  const headersFor = (token: string | undefined, json: boolean): Record<string, string> => {
    const headers: Record<string, string> = { 'user-agent': VSCODE_USER_AGENT, ...(config.headers ?? {}) };
    if (json) {
      headers['content-type'] = 'application/json';
      headers['accept'] = 'text/event-stream';
    }
    if (token !== undefined) headers['code-token'] = token;
    return headers;
  };

  return {
    name: config.name,
    type: config.type,
    protocol: 'codegeex',
    origin,
    config,
    inlineImages: false,
    encodeOptions: {},
    supports: (op) => op === 'chat',
    call(op: Operation, input: CallInput): UpstreamCall {
      if (op !== 'chat') throw new Error(`codegeex providers have no ${op} endpoint`);
      const identity = {
        user_id: config.user_id ?? '',
        user_role: config.user_role ?? 0,
        ide: config.ide ?? 'VSCode',
        ide_version: config.ide_version ?? '1.102.0',
        plugin_version: config.plugin_version ?? '2.27.0',
        machineId,
        talkId: config.talk_id ?? randomUUID(),
        locale: config.locale ?? 'zh-CN',
      };
      return { method: 'POST', path: `${prefix}/code/chatCodeSseV3/chat`, headers: headersFor(nextKey() ?? input.clientCredential, true), body: withDefaults(input.body, identity) };
    },
    modelsCall: () => ({ method: 'GET', path: `${prefix}/v3/chat/model`, headers: headersFor(nextKey(), false) }),
    parseModels(body) {
      const options = (body as { options?: unknown } | null)?.options;
      if (!Array.isArray(options)) return [];
      return options.map((o) => (o as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string' && id !== '');
    },
  };
}
