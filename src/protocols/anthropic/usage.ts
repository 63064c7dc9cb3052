import type { Usage } from '../../core/chat.ts';
import { numberField, type AnthropicUsage } from './wire.ts';
import { isObject } from '../../core/json.ts';

/**
 * Reads an Anthropic `usage` object into canonical usage (OpenAI's meaning). Anthropic's
 * `input_tokens` excludes cache reads and writes, so the prompt is their sum; `cachedTokens` is the
 * part read from cache. Thinking tokens are inside `output_tokens`; newer API versions break them
 * out in `output_tokens_details.thinking_tokens`, which becomes `reasoningTokens`.
 * Returns undefined when the value carries no token count at all.
 * @see https://docs.anthropic.com/en/api/messages#response-usage
 * @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
 */
export function decodeAnthropicUsage(value: unknown): Usage | undefined {
  const counts: AnthropicTokenCounts = { input: 0, output: 0 };
  return readAnthropicCounts(value, counts) ? combineAnthropicUsage(counts) : undefined;
}

/**
 * Folds one `usage` object into running counts; the fields it carries replace earlier ones. A stream
 * spreads usage over `message_start` (input, cache) and `message_delta` (output, sometimes input
 * again), so both paths keep counts this way. Returns whether the object carried any count.
 */
export function readAnthropicCounts(value: unknown, into: AnthropicTokenCounts): boolean {
  if (!isObject(value)) return false;
  const input = numberField(value, 'input_tokens');
  const output = numberField(value, 'output_tokens');
  const cacheRead = numberField(value, 'cache_read_input_tokens');
  const cacheCreation = numberField(value, 'cache_creation_input_tokens');
  const details = value['output_tokens_details'];
  const reasoning = isObject(details) ? numberField(details, 'thinking_tokens') : undefined;
  if (input !== undefined) into.input = input;
  if (output !== undefined) into.output = output;
  if (cacheRead !== undefined) into.cacheRead = cacheRead;
  if (cacheCreation !== undefined) into.cacheCreation = cacheCreation;
  if (reasoning !== undefined) into.reasoning = reasoning;
  return input !== undefined || output !== undefined || cacheRead !== undefined || cacheCreation !== undefined;
}

/** The raw Anthropic counts, before they are folded into canonical usage. */
export interface AnthropicTokenCounts {
  input: number;
  output: number;
  cacheRead?: number | undefined;
  cacheCreation?: number | undefined;
  reasoning?: number | undefined;
}

export function combineAnthropicUsage(counts: AnthropicTokenCounts): Usage {
  const usage: Usage = {
    promptTokens: counts.input + (counts.cacheRead ?? 0) + (counts.cacheCreation ?? 0),
    completionTokens: counts.output,
  };
  if (counts.cacheRead !== undefined) usage.cachedTokens = counts.cacheRead;
  if (counts.cacheCreation !== undefined) usage.cacheCreationTokens = counts.cacheCreation;
  if (counts.reasoning !== undefined) usage.reasoningTokens = counts.reasoning;
  return usage;
}

/**
 * Writes canonical usage in Anthropic's shape: `input_tokens` = prompt − cache read − cache
 * creation (never below 0). Anthropic has no reasoning-token field in the classic usage object;
 * reasoning stays inside `output_tokens`, which is what canonical `completionTokens` already means.
 */
export function encodeAnthropicUsage(usage: Usage | undefined): AnthropicUsage {
  if (usage === undefined) return { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const cacheRead = usage.cachedTokens ?? 0;
  const cacheCreation = usage.cacheCreationTokens ?? 0;
  return {
    input_tokens: Math.max(0, usage.promptTokens - cacheRead - cacheCreation),
    output_tokens: usage.completionTokens,
    cache_creation_input_tokens: cacheCreation,
    cache_read_input_tokens: cacheRead,
  };
}
