import type { ProviderConfig } from '../config/schema.ts';
import { createAnthropicProvider } from './anthropic.ts';
import { createCodeGeexProvider } from './codegeex.ts';
import { createGeminiProvider } from './gemini.ts';
import { createGeminiCliProvider } from './gemini-cli/provider.ts';
import { createOpenAIProvider } from './openai-compatible.ts';
import { createOpenAIResponsesProvider } from './openai-responses.ts';
import type { ProviderAdapter } from './provider.ts';
import { createQwenProvider } from './qwen.ts';

/** Provider type → adapter. The one place that switches on provider type to build an adapter. */
export function createProviderAdapter(config: ProviderConfig): ProviderAdapter {
  switch (config.type) {
    case 'openai':
      return createOpenAIProvider(config);
    case 'anthropic':
      return createAnthropicProvider(config);
    case 'gemini':
      return createGeminiProvider(config);
    case 'gemini-cli':
      return createGeminiCliProvider(config);
    case 'codegeex':
      return createCodeGeexProvider(config);
    case 'qwen':
      return createQwenProvider(config);
    case 'openai-responses':
      return createOpenAIResponsesProvider(config);
  }
}
