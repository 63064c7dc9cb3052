import type { ProviderConfig } from '../config/schema.ts';
import { createAnthropicProvider } from './anthropic.ts';
import { createGeminiProvider } from './gemini.ts';
import { createOpenAIProvider } from './openai-compatible.ts';
import type { ProviderAdapter } from './provider.ts';

/** Provider type → adapter. The only place that switches on provider type. */
export function createProviderAdapter(config: ProviderConfig): ProviderAdapter {
  switch (config.type) {
    case 'openai':
      return createOpenAIProvider(config);
    case 'anthropic':
      return createAnthropicProvider(config);
    case 'gemini':
      return createGeminiProvider(config);
    default:
      throw new Error(`providers.${config.name}: provider type "${config.type}" is not supported yet (supported: openai, anthropic, gemini)`);
  }
}
