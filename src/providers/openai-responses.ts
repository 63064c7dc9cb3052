import type { ProviderConfig } from '../config/schema.ts';
import type { Operation } from '../core/protocol.ts';
import { createOpenAIProvider } from './openai-compatible.ts';
import type { CallInput, ProviderAdapter, UpstreamCall } from './provider.ts';

/**
 * A service that speaks only OpenAI's Responses API (OpenAI's newest models, Azure, xAI, vLLM's
 * /v1/responses). Same URL layout and auth as an OpenAI-compatible one; every chat request goes to
 * /responses, converted from the client's protocol unless the client speaks Responses itself.
 */
export function createOpenAIResponsesProvider(config: ProviderConfig): ProviderAdapter {
  const base = createOpenAIProvider({ ...config, responses: true });
  return {
    ...base,
    protocol: 'responses',
    alsoSpeaks: [],
    // Its token counts are not the Anthropic count_tokens call, and embeddings are another API.
    supports: (op: Operation) => op === 'chat' || op === 'completions',
    call(op: Operation, input: CallInput): UpstreamCall | Promise<UpstreamCall> {
      return base.call('chat', { ...input, protocol: 'responses' });
    },
  };
}
