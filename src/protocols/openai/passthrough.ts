import type { Usage } from '../../core/chat.ts';
import type { PassthroughObserver } from '../codec.ts';
import { objectAfterKey, parseEventJson } from '../raw-json.ts';
import { decodeOpenAIUsage } from './usage.ts';

const USAGE = Buffer.from('"usage"');
const DONE = Buffer.from('[DONE]');

/**
 * Watches an OpenAI chat stream passed through: `[DONE]` is its proper end, and the usage chunk the
 * gateway asked for on the client's behalf is dropped when the client did not ask for it.
 */
export function createOpenAIPassthroughObserver(opts: { dropUsageChunk: boolean }): PassthroughObserver {
  let usage: Usage | undefined;
  let complete = false;
  return {
    event(raw) {
      if (raw.includes(DONE)) complete = true;
      if (!raw.includes(USAGE)) return true;
      const chunk = parseEventJson(raw);
      if (chunk === undefined) return true;
      usage = decodeOpenAIUsage(chunk['usage']) ?? usage;
      const choices = chunk['choices'];
      const usageOnly = chunk['usage'] !== null && chunk['usage'] !== undefined && (choices === null || choices === undefined || (Array.isArray(choices) && choices.length === 0));
      return !(opts.dropUsageChunk && usageOnly);
    },
    get complete() {
      return complete;
    },
    get usage() {
      return usage;
    },
  };
}

export function openAIUsageFromBody(body: Buffer): Usage | undefined {
  return decodeOpenAIUsage(objectAfterKey(body, USAGE));
}
