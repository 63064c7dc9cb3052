import type { Usage } from '../../core/chat.ts';
import { isFiniteNumber, isObject } from '../../core/json.ts';
import type { ResponsesUsage } from './wire.ts';

const int = (n: number | undefined): number => (n === undefined || !Number.isFinite(n) ? 0 : Math.max(0, Math.round(n)));

/**
 * Canonical usage in the Responses shape. Every count is an integer and both details objects are
 * always there: Codex's parser fails on a missing `reasoning_tokens` or a fractional count.
 */
export function encodeResponsesUsage(usage: Usage | undefined): ResponsesUsage {
  const input = int(usage?.promptTokens);
  const output = int(usage?.completionTokens);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: int(usage?.cachedTokens) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: int(usage?.reasoningTokens) },
    total_tokens: input + output,
  };
}

/** A Responses `usage` object → canonical; undefined when it is not one. */
export function decodeResponsesUsage(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined;
  const input = value['input_tokens'];
  const output = value['output_tokens'];
  if (!isFiniteNumber(input) && !isFiniteNumber(output)) return undefined;
  const usage: Usage = { promptTokens: isFiniteNumber(input) ? input : 0, completionTokens: isFiniteNumber(output) ? output : 0 };
  const inDetails = value['input_tokens_details'];
  if (isObject(inDetails)) {
    if (isFiniteNumber(inDetails['cached_tokens'])) usage.cachedTokens = inDetails['cached_tokens'];
    if (isFiniteNumber(inDetails['cache_write_tokens'])) usage.cacheCreationTokens = inDetails['cache_write_tokens'];
  }
  const outDetails = value['output_tokens_details'];
  if (isObject(outDetails) && isFiniteNumber(outDetails['reasoning_tokens'])) usage.reasoningTokens = outDetails['reasoning_tokens'];
  return usage;
}
