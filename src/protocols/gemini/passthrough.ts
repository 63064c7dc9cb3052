import type { Usage } from '../../core/chat.ts';
import type { PassthroughObserver } from '../codec.ts';
import { objectAfterKey, parseEventJson } from '../raw-json.ts';
import { field } from './wire.ts';
import { decodeGeminiUsage } from './usage.ts';

const USAGE_METADATA = Buffer.from('"usageMetadata"');
const USAGE_METADATA_SNAKE = Buffer.from('"usage_metadata"');
const FINISH_REASON = Buffer.from('"finishReason"');
const FINISH_REASON_SNAKE = Buffer.from('"finish_reason"');

/**
 * Watches a Gemini stream passed through: a `finishReason` is its proper end. Every frame may carry
 * running usage and only the last counts, so that one is parsed once, when usage is asked for.
 */
export function createGeminiPassthroughObserver(): PassthroughObserver {
  let lastUsage: Buffer | undefined;
  let usage: Usage | undefined;
  let complete = false;
  return {
    event(raw) {
      if (raw.includes(FINISH_REASON) || raw.includes(FINISH_REASON_SNAKE)) complete = true;
      if (raw.includes(USAGE_METADATA) || raw.includes(USAGE_METADATA_SNAKE)) lastUsage = raw;
      return true;
    },
    get complete() {
      return complete;
    },
    get usage() {
      if (lastUsage !== undefined) {
        const frame = parseEventJson(lastUsage);
        usage = (frame === undefined ? undefined : decodeGeminiUsage(field(frame, 'usageMetadata'))) ?? usage;
        lastUsage = undefined;
      }
      return usage;
    },
  };
}

export function geminiUsageFromBody(body: Buffer): Usage | undefined {
  return decodeGeminiUsage(objectAfterKey(body, USAGE_METADATA) ?? objectAfterKey(body, USAGE_METADATA_SNAKE));
}
