import type { FinishReason } from '../../core/chat.ts';
import type { GeminiFinishReason } from './wire.ts';

/**
 * Gemini `finishReason` → canonical. Gemini has no tool-call reason (a call ends with `STOP`), so
 * the caller derives `tool-calls` from the parts. Every blocking reason is `content-filter`
 * (LANGUAGE too: the answer was withheld, not finished). The failed-tool-call reasons are `error`:
 * the model meant to act and produced nothing usable, which the canonical model can say and each
 * client encoder renders in its own terms. `OTHER`, `FINISH_REASON_UNSPECIFIED` and values added
 * later are `stop`: the answer ended normally as far as a client can tell.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/Candidate#FinishReason
 */
export const GEMINI_TO_CANONICAL_FINISH: Readonly<Record<GeminiFinishReason, FinishReason>> = {
  FINISH_REASON_UNSPECIFIED: 'stop',
  STOP: 'stop',
  MAX_TOKENS: 'length',
  // The per-request token limit cut the answer; it could be continued.
  CONTINUATION: 'length',
  SAFETY: 'content-filter',
  RECITATION: 'content-filter',
  LANGUAGE: 'content-filter',
  BLOCKLIST: 'content-filter',
  PROHIBITED_CONTENT: 'content-filter',
  SPII: 'content-filter',
  IMAGE_SAFETY: 'content-filter',
  IMAGE_PROHIBITED_CONTENT: 'content-filter',
  IMAGE_RECITATION: 'content-filter',
  MALFORMED_FUNCTION_CALL: 'error',
  UNEXPECTED_TOOL_CALL: 'error',
  TOO_MANY_TOOL_CALLS: 'error',
  MALFORMED_RESPONSE: 'error',
  OTHER: 'stop',
  NO_IMAGE: 'stop',
  IMAGE_OTHER: 'stop',
};

/**
 * Canonical → Gemini `finishReason`. A tool-call answer ends with `STOP` in Gemini, and a
 * content filter with `SAFETY`, the generic blocking reason.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 */
export const CANONICAL_TO_GEMINI_FINISH: Readonly<Record<FinishReason, GeminiFinishReason>> = {
  stop: 'STOP',
  length: 'MAX_TOKENS',
  'tool-calls': 'STOP',
  'content-filter': 'SAFETY',
  error: 'OTHER',
  other: 'OTHER',
};

function isGeminiFinishReason(value: string): value is GeminiFinishReason {
  return Object.hasOwn(GEMINI_TO_CANONICAL_FINISH, value);
}

/**
 * Reads an upstream `finishReason`. An answer with function calls is `tool-calls` whatever Gemini
 * said: the calls arrive whole, so the client can run them.
 */
export function mapGeminiFinishReasonToCanonical(reason: unknown, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls) return 'tool-calls';
  return typeof reason === 'string' && isGeminiFinishReason(reason) ? GEMINI_TO_CANONICAL_FINISH[reason] : 'stop';
}

export function mapGeminiFinishReasonFromCanonical(reason: FinishReason): GeminiFinishReason {
  return CANONICAL_TO_GEMINI_FINISH[reason];
}
