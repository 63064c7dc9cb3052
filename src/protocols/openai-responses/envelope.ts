import type { ReasoningFamily } from '../../core/chat.ts';
import { isObject, isString } from '../../core/json.ts';

/**
 * Reasoning state of another family (Anthropic thinking signatures, Gemini thought signatures)
 * carried to a Responses client in a reasoning item's `encrypted_content`, so stateless clients
 * (Codex resends the whole history each turn) hand it back and the thinking survives tool loops.
 * The prefix tells it apart from OpenAI's own encrypted content, which is never touched.
 */
export const ENVELOPE_PREFIX = 'llmux1.';

export interface ReasoningEnvelope {
  family: Exclude<ReasoningFamily, 'openai'>;
  /** Thinking text, needed with the signature: Anthropic verifies the pair. */
  text?: string;
  signature?: string;
  redactedData?: string;
  /** Gemini's signature on a function call: the call it belongs to. */
  callId?: string;
}

export function encodeEnvelope(env: ReasoningEnvelope): string {
  const compact: Record<string, string> = { f: env.family };
  if (env.text !== undefined && env.text !== '') compact['t'] = env.text;
  if (env.signature !== undefined) compact['s'] = env.signature;
  if (env.redactedData !== undefined) compact['r'] = env.redactedData;
  if (env.callId !== undefined) compact['c'] = env.callId;
  return ENVELOPE_PREFIX + Buffer.from(JSON.stringify(compact)).toString('base64url');
}

/** undefined when the text is not an llmux envelope (OpenAI's own blob) or is damaged. */
export function decodeEnvelope(text: string): ReasoningEnvelope | undefined {
  if (!text.startsWith(ENVELOPE_PREFIX)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text.slice(ENVELOPE_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const family = value['f'];
  if (family !== 'anthropic' && family !== 'gemini') return undefined;
  const env: ReasoningEnvelope = { family };
  if (isString(value['t'])) env.text = value['t'];
  if (isString(value['s'])) env.signature = value['s'];
  if (isString(value['r'])) env.redactedData = value['r'];
  if (isString(value['c'])) env.callId = value['c'];
  return env;
}
