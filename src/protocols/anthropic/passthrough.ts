import type { Usage } from '../../core/chat.ts';
import type { PassthroughObserver } from '../codec.ts';
import { objectAfterKey, parseEventJson } from '../raw-json.ts';
import { isObject } from '../../core/json.ts';
import { combineAnthropicUsage, decodeAnthropicUsage, readAnthropicCounts, type AnthropicTokenCounts } from './usage.ts';

const USAGE = Buffer.from('"usage"');
const MESSAGE_STOP = Buffer.from('message_stop');

/** Watches an Anthropic stream passed through: `message_stop` is its proper end; usage is spread over two events. */
export function createAnthropicPassthroughObserver(): PassthroughObserver {
  const counts: AnthropicTokenCounts = { input: 0, output: 0 };
  let seen = false;
  let complete = false;
  return {
    event(raw) {
      if (raw.includes(MESSAGE_STOP)) complete = true;
      if (raw.includes(USAGE)) {
        const ev = parseEventJson(raw);
        const message = ev?.['message'];
        if (readAnthropicCounts(isObject(message) ? message['usage'] : ev?.['usage'], counts)) seen = true;
      }
      return true;
    },
    get complete() {
      return complete;
    },
    get usage() {
      return seen ? combineAnthropicUsage(counts) : undefined;
    },
  };
}

export function anthropicUsageFromBody(body: Buffer): Usage | undefined {
  return decodeAnthropicUsage(objectAfterKey(body, USAGE));
}
