import type { ProviderConfig, ProviderType } from '../config/schema.ts';
import type { Operation, Protocol } from '../core/protocol.ts';
import type { UpstreamCall } from '../upstream/call.ts';

export type { UpstreamCall };


export interface CallInput {
  /** The model name the upstream knows. */
  model: string;
  stream: boolean;
  /** The request body, already in the provider's protocol and serialised. */
  body: string | Buffer;
  /** The client's own credential, sent when `forward_auth` is on and the provider has no key. */
  clientCredential: string | undefined;
  /** Client headers a same-protocol client may pass on (anthropic-version, anthropic-beta). */
  clientHeaders: Readonly<Record<string, string | string[] | undefined>>;
  /** The protocol `body` is written in, for providers that speak more than one (OpenAI: chat and Responses). */
  protocol?: Protocol;
}

/** How to reach one provider: URL layout, auth and quirks. Conversion lives in protocols/. */
export interface ProviderAdapter {
  readonly name: string;
  readonly type: ProviderType;
  readonly protocol: Protocol;
  /** `scheme://host:port` the connection pool is opened to. */
  readonly origin: string;
  readonly config: ProviderConfig;
  /** The provider cannot fetch image URLs itself: the gateway fetches and inlines them (Gemini). */
  readonly inlineImages: boolean;
  /** Request-writing quirks handed to the protocol encoder. */
  readonly encodeOptions: { maxTokensField?: 'max_tokens' | 'max_completion_tokens' };
  /** Further protocols the provider takes as they are, besides `protocol` (OpenAI's Responses API). */
  readonly alsoSpeaks?: readonly Protocol[];
  /** Which operations this provider can serve natively. */
  supports(op: Operation): boolean;
  /** May be async: OAuth providers refresh a token, Qwen web opens a chat first. */
  call(op: Operation, input: CallInput): UpstreamCall | Promise<UpstreamCall>;
  /**
   * OAuth providers: the upstream answered 401, so get a fresh token now. Returns whether the call
   * is worth repeating (the pipeline then sends it once more, to the same provider).
   */
  refreshCredentials?(): Promise<boolean>;
  /** Models served without a list to discover (Code Assist has none); a configured `models:` replaces them. */
  readonly staticModels?: readonly string[];
  /** The call that lists models (also the cheap health probe). */
  modelsCall(): UpstreamCall | Promise<UpstreamCall>;
  parseModels(body: unknown): string[];
}

/** Whether a request in `protocol` goes to this provider as it is, without conversion. */
export function speaks(adapter: ProviderAdapter, protocol: Protocol): boolean {
  return adapter.protocol === protocol || adapter.alsoSpeaks?.includes(protocol) === true;
}

/** Splits a base URL into the pool origin and the path prefix every call starts with. */
export function splitBaseUrl(baseUrl: string): { origin: string; basePath: string } {
  const url = new URL(baseUrl);
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') };
}

/** Round-robin over a provider's keys; `undefined` when it has none. */
export function keyRotator(config: ProviderConfig): () => string | undefined {
  const keys = config.api_keys ?? (config.api_key !== undefined && config.api_key !== '' ? [config.api_key] : []);
  if (keys.length === 0) return () => undefined;
  if (keys.length === 1) {
    const only = keys[0];
    return () => only;
  }
  let next = 0;
  return () => {
    const key = keys[next];
    next = (next + 1) % keys.length;
    return key;
  };
}
