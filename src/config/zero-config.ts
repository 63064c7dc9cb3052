import { envValue, type DialectResult, type Env } from './dialects/dialect.ts';
import { fromGoAigateway, isGoAigatewayEnv } from './dialects/go-aigateway.ts';

/**
 * With no config file, providers come from the environment variables people already have set
 * for the providers' own SDKs, plus go-aigateway's single-upstream variables
 * (`TARGET_API_URL`, `TARGET_API_KEY`, ...), which also bring that format's keys and limits.
 * Returns raw config (pre-validation) so the same validation and defaults apply as for a file.
 */
export function zeroConfig(env: Env): DialectResult & { format: 'llmux' | 'go-aigateway' } {
  const providers: Array<Record<string, unknown>> = [];
  const get = (...names: string[]): string | undefined => envValue(env, ...names);
  const openai = get('OPENAI_API_KEY');
  if (openai !== undefined) {
    providers.push({ name: 'openai', type: 'openai', api_key: openai, base_url: get('OPENAI_BASE_URL') ?? 'https://api.openai.com/v1' });
  }
  const anthropic = get('ANTHROPIC_API_KEY', 'CLAUDE_API_KEY');
  if (anthropic !== undefined) {
    providers.push({ name: 'anthropic', type: 'anthropic', api_key: anthropic, base_url: get('ANTHROPIC_BASE_URL') ?? 'https://api.anthropic.com' });
  }
  const gemini = get('GEMINI_API_KEY', 'GOOGLE_API_KEY');
  if (gemini !== undefined) {
    providers.push({ name: 'gemini', type: 'gemini', api_key: gemini, base_url: get('GEMINI_BASE_URL') ?? 'https://generativelanguage.googleapis.com' });
  }
  const dashscope = get('DASHSCOPE_API_KEY');
  if (dashscope !== undefined) {
    providers.push({ name: 'dashscope', type: 'openai', api_key: dashscope, base_url: get('DASHSCOPE_BASE_URL') ?? 'https://dashscope.aliyuncs.com/compatible-mode/v1' });
  }
  const deepseek = get('DEEPSEEK_API_KEY');
  if (deepseek !== undefined) {
    providers.push({ name: 'deepseek', type: 'openai', api_key: deepseek, base_url: get('DEEPSEEK_BASE_URL') ?? 'https://api.deepseek.com/v1' });
  }
  if (!isGoAigatewayEnv(env)) return { raw: { providers }, warnings: [], errors: [], format: 'llmux' };
  const aigateway = fromGoAigateway(env);
  const target = Array.isArray(aigateway.raw['providers']) ? (aigateway.raw['providers'] as unknown[]) : [];
  return { ...aigateway, raw: { ...aigateway.raw, providers: [...target, ...providers] }, format: 'go-aigateway' };
}
