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
    // Embeddings are another API; token counts are its own `/responses/input_tokens`.
    supports: (op: Operation) => op === 'chat' || op === 'completions' || op === 'count_tokens',
    call(op: Operation, input: CallInput): UpstreamCall | Promise<UpstreamCall> {
      return base.call(op === 'count_tokens' ? 'count_tokens' : 'chat', { ...input, protocol: 'responses' });
    },
  };
}
