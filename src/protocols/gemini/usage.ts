import type { Usage } from '../../core/chat.ts';
import { type GeminiUsageMetadata } from './wire.ts';
import { isFiniteNumber, isObject } from '../../core/json.ts';

/**
 * Reads Gemini `usageMetadata`. `promptTokenCount` already includes `cachedContentTokenCount`
 * (OpenAI's meaning, which the canonical Usage keeps), and `candidatesTokenCount` excludes the
 * thinking tokens, so completion tokens are candidates + thoughts.
 * Returns undefined when the value is not a usage object.
 * @see https://ai.google.dev/api/generate-content#UsageMetadata
 */
export function decodeGeminiUsage(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined;
  const prompt = value['promptTokenCount'] ?? value['prompt_token_count'];
  const candidates = value['candidatesTokenCount'] ?? value['candidates_token_count'];
  const thoughts = value['thoughtsTokenCount'] ?? value['thoughts_token_count'];
  const cached = value['cachedContentTokenCount'] ?? value['cached_content_token_count'];
  if (!isFiniteNumber(prompt) && !isFiniteNumber(candidates) && !isFiniteNumber(thoughts)) return undefined;
  const usage: Usage = {
    promptTokens: isFiniteNumber(prompt) ? prompt : 0,
    completionTokens: (isFiniteNumber(candidates) ? candidates : 0) + (isFiniteNumber(thoughts) ? thoughts : 0),
  };
  if (isFiniteNumber(cached)) usage.cachedTokens = cached;
  if (isFiniteNumber(thoughts)) usage.reasoningTokens = thoughts;
  return usage;
}

/**
 * Writes canonical usage as `usageMetadata`. Reasoning tokens move out of the completion count
 * into `thoughtsTokenCount`; `cacheCreationTokens` has no Gemini field (they are inside the prompt count).
 */
export function encodeGeminiUsage(usage: Usage): GeminiUsageMetadata {
  const thoughts = usage.reasoningTokens ?? 0;
  const out: GeminiUsageMetadata = {
    promptTokenCount: usage.promptTokens,
    candidatesTokenCount: Math.max(0, usage.completionTokens - thoughts),
    totalTokenCount: usage.promptTokens + usage.completionTokens,
  };
  if (usage.cachedTokens !== undefined) out.cachedContentTokenCount = usage.cachedTokens;
  if (usage.reasoningTokens !== undefined) out.thoughtsTokenCount = usage.reasoningTokens;
  return out;
}
