import type { FinishReason } from '../../core/chat.ts';
import type { OpenAIFinishReason } from './wire.ts';

/**
 * OpenAI `finish_reason` → canonical. Besides OpenAI's own values this reads the ones
 * OpenAI-compatible servers are known to send; anything else becomes `other`.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
 * @see https://api-docs.deepseek.com/api/create-chat-completion (insufficient_system_resource)
 */
export const OPENAI_TO_CANONICAL_FINISH: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool-calls',
  // Deprecated functions API; the call itself arrives as a tool call.
  function_call: 'tool-calls',
  content_filter: 'content-filter',
  // DeepSeek: the answer was cut because the inference cluster ran out of capacity.
  insufficient_system_resource: 'error',
};

/**
 * Canonical → OpenAI `finish_reason`. OpenAI has no value for a failed or unexplained stop;
 * errors travel as error events, so `error` and `other` render as `stop`.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
 */
export const CANONICAL_TO_OPENAI_FINISH: Readonly<Record<FinishReason, OpenAIFinishReason>> = {
  stop: 'stop',
  length: 'length',
  'tool-calls': 'tool_calls',
  'content-filter': 'content_filter',
  error: 'stop',
  other: 'stop',
};

/** Reads an upstream `finish_reason`; `hasToolCalls` wins because an answer with calls must be run by the client. */
export function mapOpenAIFinishReasonToCanonical(reason: unknown, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls) return 'tool-calls';
  if (typeof reason !== 'string') return 'other';
  return OPENAI_TO_CANONICAL_FINISH[reason] ?? 'other';
}

export function mapOpenAIFinishReasonFromCanonical(reason: FinishReason, hasToolCalls: boolean): OpenAIFinishReason {
  if (hasToolCalls) return 'tool_calls';
  return CANONICAL_TO_OPENAI_FINISH[reason];
}
