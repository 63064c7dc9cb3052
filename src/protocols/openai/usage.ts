import type { Usage } from '../../core/chat.ts';
import { type OpenAIUsage } from './wire.ts';
import { isFiniteNumber, isObject } from '../../core/json.ts';

/**
 * Reads an OpenAI `usage` object. The canonical Usage already has OpenAI's meaning
 * (prompt tokens include cached ones), so this is a rename, plus DeepSeek's
 * `prompt_cache_hit_tokens` when the standard `prompt_tokens_details` is absent.
 * Returns undefined when the value is not a usage object (null on ordinary stream chunks).
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 * @see https://api-docs.deepseek.com/api/create-chat-completion
 */
export function decodeOpenAIUsage(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined;
  const prompt = value['prompt_tokens'];
  const completion = value['completion_tokens'];
  if (!isFiniteNumber(prompt) && !isFiniteNumber(completion)) return undefined;
  const usage: Usage = {
    promptTokens: isFiniteNumber(prompt) ? prompt : 0,
    completionTokens: isFiniteNumber(completion) ? completion : 0,
  };
  const promptDetails = value['prompt_tokens_details'];
  const cached = isObject(promptDetails) ? promptDetails['cached_tokens'] : value['prompt_cache_hit_tokens'];
  if (isFiniteNumber(cached)) usage.cachedTokens = cached;
  const completionDetails = value['completion_tokens_details'];
  const reasoning = isObject(completionDetails) ? completionDetails['reasoning_tokens'] : undefined;
  if (isFiniteNumber(reasoning)) usage.reasoningTokens = reasoning;
  return usage;
}

/**
 * Writes canonical usage in OpenAI's shape. `cacheCreationTokens` has no OpenAI field: those
 * tokens are already inside `prompt_tokens`, which is all an OpenAI client can be told.
 */
export function encodeOpenAIUsage(usage: Usage): OpenAIUsage {
  const out: OpenAIUsage = {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
  if (usage.cachedTokens !== undefined) out.prompt_tokens_details = { cached_tokens: usage.cachedTokens };
  if (usage.reasoningTokens !== undefined) out.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  return out;
}
