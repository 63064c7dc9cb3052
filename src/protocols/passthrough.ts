import type { ClientProtocol } from '../core/protocol.ts';
import { parseSseText } from '../upstream/sse.ts';

/**
 * Same protocol in and out: the upstream's bytes go to the client untouched. These observers look
 * at each raw event only as far as the gateway must: to know the stream ended properly, to count
 * tokens, and (OpenAI) to drop the usage chunk the gateway asked for on the client's behalf.
 */
export interface TokenCounts {
  prompt?: number;
  completion?: number;
  cached?: number;
  reasoning?: number;
}

export interface PassthroughObserver {
  /** Looks at one raw SSE event; false means it is not forwarded. */
  event(raw: Buffer): boolean;
  /** The upstream sent its proper end ([DONE], message_stop, a finishReason). */
  readonly complete: boolean;
  readonly tokens: TokenCounts;
}

const USAGE = Buffer.from('"usage');
const DONE = Buffer.from('[DONE]');
const MESSAGE_STOP = Buffer.from('message_stop');
const FINISH_REASON = Buffer.from('"finishReason"');
const USAGE_METADATA = Buffer.from('"usageMetadata"');

function parseData(raw: Buffer): unknown {
  const record = parseSseText(raw.toString('utf8'))[0];
  if (record === undefined) return undefined;
  try {
    return JSON.parse(record.data);
  } catch {
    return undefined;
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

function openaiTokens(usage: unknown, into: TokenCounts): void {
  const u = obj(usage);
  if (u === undefined) return;
  const p = num(u['prompt_tokens']);
  const c = num(u['completion_tokens']);
  if (p !== undefined) into.prompt = p;
  if (c !== undefined) into.completion = c;
  const cached = num(obj(u['prompt_tokens_details'])?.['cached_tokens']);
  if (cached !== undefined) into.cached = cached;
  const reasoning = num(obj(u['completion_tokens_details'])?.['reasoning_tokens']);
  if (reasoning !== undefined) into.reasoning = reasoning;
}

function anthropicTokens(usage: unknown, into: TokenCounts): void {
  const u = obj(usage);
  if (u === undefined) return;
  const input = num(u['input_tokens']);
  if (input !== undefined) into.prompt = input + (num(u['cache_read_input_tokens']) ?? 0) + (num(u['cache_creation_input_tokens']) ?? 0);
  const output = num(u['output_tokens']);
  if (output !== undefined) into.completion = output;
  const cached = num(u['cache_read_input_tokens']);
  if (cached !== undefined) into.cached = cached;
}

function geminiTokens(usage: unknown, into: TokenCounts): void {
  const u = obj(usage);
  if (u === undefined) return;
  const p = num(u['promptTokenCount']);
  if (p !== undefined) into.prompt = p;
  const c = num(u['candidatesTokenCount']);
  const t = num(u['thoughtsTokenCount']);
  if (c !== undefined || t !== undefined) into.completion = (c ?? 0) + (t ?? 0);
  if (t !== undefined) into.reasoning = t;
  const cached = num(u['cachedContentTokenCount']);
  if (cached !== undefined) into.cached = cached;
}

export function createPassthroughObserver(protocol: ClientProtocol, options: { dropUsageChunk: boolean }): PassthroughObserver {
  const tokens: TokenCounts = {};
  let complete = false;
  switch (protocol) {
    case 'openai':
      return {
        tokens,
        get complete() {
          return complete;
        },
        event(raw) {
          if (raw.includes(DONE)) complete = true;
          if (!raw.includes(USAGE)) return true;
          const chunk = obj(parseData(raw));
          if (chunk === undefined) return true;
          openaiTokens(chunk['usage'], tokens);
          const choices = chunk['choices'];
          const usageOnly = chunk['usage'] !== null && chunk['usage'] !== undefined && (choices === null || choices === undefined || (Array.isArray(choices) && choices.length === 0));
          return !(options.dropUsageChunk && usageOnly);
        },
      };
    case 'anthropic':
      return {
        tokens,
        get complete() {
          return complete;
        },
        event(raw) {
          if (raw.includes(MESSAGE_STOP)) complete = true;
          if (raw.includes(USAGE)) {
            const ev = obj(parseData(raw));
            anthropicTokens(obj(ev?.['message'])?.['usage'] ?? ev?.['usage'], tokens);
          }
          return true;
        },
      };
    case 'gemini': {
      // Every Gemini frame may carry running usage; only the last one counts, so parse it at the end.
      let lastUsage: Buffer | undefined;
      return {
        get tokens() {
          if (lastUsage !== undefined) {
            geminiTokens(obj(parseData(lastUsage))?.['usageMetadata'], tokens);
            lastUsage = undefined;
          }
          return tokens;
        },
        get complete() {
          return complete;
        },
        event(raw) {
          if (raw.includes(FINISH_REASON)) complete = true;
          if (raw.includes(USAGE_METADATA)) lastUsage = raw;
          return true;
        },
      };
    }
  }
}

/**
 * Token counts from a whole non-stream answer. Only the usage object is parsed (found from the end,
 * where every provider puts it), not the whole answer: on the hot path that is most of the cost.
 */
export function tokensFromBody(protocol: ClientProtocol, body: Buffer): TokenCounts {
  const tokens: TokenCounts = {};
  const usage = objectAfterKey(body, protocol === 'gemini' ? USAGE_METADATA : USAGE_KEY);
  if (usage === undefined) return tokens;
  if (protocol === 'openai') openaiTokens(usage, tokens);
  else if (protocol === 'anthropic') anthropicTokens(usage, tokens);
  else geminiTokens(usage, tokens);
  return tokens;
}

const USAGE_KEY = Buffer.from('"usage"');

/** The JSON object that is the value of the last `key` in `body`, or undefined. */
function objectAfterKey(body: Buffer, key: Buffer): Record<string, unknown> | undefined {
  const at = body.lastIndexOf(key);
  if (at === -1) return undefined;
  const start = body.indexOf(123 /* { */, at + key.length);
  if (start === -1) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123) depth++;
    else if (c === 125 /* } */ && --depth === 0) {
      try {
        return obj(JSON.parse(body.toString('utf8', start, i + 1)));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
