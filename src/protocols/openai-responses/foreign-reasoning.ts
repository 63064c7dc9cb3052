import { isObject, isString } from '../../core/json.ts';
import { ENVELOPE_PREFIX } from './envelope.ts';

/** Ids llmux mints for the items of answers it converts: `rs_<stem>_<n>` (OpenAI's own have no second underscore). */
const MINTED_REASONING_ID = /^rs_[0-9a-z]+_\d+$/;

/**
 * A Responses request about to be passed to OpenAI itself, without the reasoning items OpenAI
 * cannot take: llmux envelopes (Anthropic or Gemini thinking from turns another provider served)
 * and reasoning items llmux minted, whose ids OpenAI never issued ("Item with id 'rs_…' not
 * found"). Returns the body itself when there is none, so the client's bytes can go as they are.
 */
export function dropForeignReasoning(body: Record<string, unknown>): Record<string, unknown> {
  const input = body['input'];
  if (!Array.isArray(input)) return body;
  const foreign = (item: unknown): boolean => {
    if (!isObject(item) || item['type'] !== 'reasoning') return false;
    const encrypted = item['encrypted_content'];
    if (isString(encrypted) && encrypted.startsWith(ENVELOPE_PREFIX)) return true;
    return isString(item['id']) && MINTED_REASONING_ID.test(item['id']);
  };
  if (!input.some(foreign)) return body;
  return { ...body, input: input.filter((item) => !foreign(item)) };
}
