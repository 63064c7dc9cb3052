import type { FinishReason } from '../../core/chat.ts';
import type { AnthropicStopReason } from './wire.ts';

/**
 * Anthropic `stop_reason` → canonical. `pause_turn` (a server tool paused a long turn; the client
 * sends the answer back to continue) has no equivalent elsewhere, so it is `other`. Unknown values
 * (new ones get added) are `other` too.
 * @see https://docs.anthropic.com/en/api/handling-stop-reasons
 * @see https://docs.anthropic.com/en/api/messages#response-stop-reason
 */
export const ANTHROPIC_TO_CANONICAL_FINISH: Readonly<Record<AnthropicStopReason, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool-calls',
  refusal: 'content-filter',
  pause_turn: 'other',
};

/**
 * Canonical → Anthropic `stop_reason`. A `stop` caused by a stop string becomes `stop_sequence`
 * (decided in the mapping function, which sees the matched string). Errors travel as `error`
 * events, and an unexplained stop is a normal end for an Anthropic client, so both are `end_turn`.
 * @see https://docs.anthropic.com/en/api/handling-stop-reasons
 */
export const CANONICAL_TO_ANTHROPIC_STOP: Readonly<Record<FinishReason, AnthropicStopReason>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  'tool-calls': 'tool_use',
  'content-filter': 'refusal',
  error: 'end_turn',
  other: 'end_turn',
};

function isAnthropicStopReason(value: string): value is AnthropicStopReason {
  return Object.hasOwn(ANTHROPIC_TO_CANONICAL_FINISH, value);
}

/**
 * Reads an upstream `stop_reason`. An answer that contains tool calls is `tool-calls` whatever the
 * upstream said, except a cut answer (`length`), whose last call may be incomplete.
 */
export function mapAnthropicStopReasonToCanonical(reason: unknown, hasToolCalls: boolean): FinishReason {
  const mapped = typeof reason === 'string' && isAnthropicStopReason(reason) ? ANTHROPIC_TO_CANONICAL_FINISH[reason] : 'other';
  return hasToolCalls && mapped !== 'length' ? 'tool-calls' : mapped;
}

/** Writes a canonical finish reason as Anthropic `stop_reason`, with the same tool-call rule. */
export function mapAnthropicStopReasonFromCanonical(
  reason: FinishReason,
  opts: { hasToolCalls: boolean; stopSequence?: string | undefined },
): AnthropicStopReason {
  if (opts.hasToolCalls && reason !== 'length') return 'tool_use';
  if (reason === 'stop' && opts.stopSequence !== undefined) return 'stop_sequence';
  return CANONICAL_TO_ANTHROPIC_STOP[reason];
}
