import { isObject, type JsonObject } from '../../core/json.ts';

/**
 * A local estimate of `POST /v1/messages/count_tokens` for providers that cannot count:
 * Claude Code calls it constantly and needs system, tools and messages counted: CLIProxyAPI #679
 * undercounted by 93% by ignoring the first two).
 *
 * Heuristic, not a tokenizer: about 3.5 characters per token for Latin text and code, one token
 * per CJK character (Han, kana, Hangul, full-width forms), a flat 1600 tokens per image or
 * binary document (Anthropic's own estimate is width × height / 750, and it scales images to
 * about 1.15 megapixels, i.e. about 1600 tokens), plus small per-message and per-tool overheads
 * and the tool-use system prompt Anthropic adds when tools are present.
 * Thinking blocks of earlier turns are not counted: Anthropic strips them from the context.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/token-counting
 * @see https://docs.anthropic.com/en/docs/build-with-claude/vision#evaluate-image-size
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/overview#pricing
 */
export const ANTHROPIC_TOKEN_ESTIMATE = {
  charsPerToken: 3.5,
  imageTokens: 1600,
  messageOverhead: 3,
  toolOverhead: 8,
  /** Anthropic's tool-use system prompt for auto/none tool choice (Claude 4 family). */
  toolSystemPrompt: 346,
} as const;

function isCjk(code: number): boolean {
  return (
    (code >= 0x3040 && code <= 0x30ff) || // hiragana, katakana
    (code >= 0x3400 && code <= 0x4dbf) || // CJK extension A
    (code >= 0x4e00 && code <= 0x9fff) || // CJK unified ideographs
    (code >= 0xac00 && code <= 0xd7af) || // Hangul syllables
    (code >= 0xf900 && code <= 0xfaff) || // CJK compatibility ideographs
    (code >= 0xff00 && code <= 0xffef) || // full-width forms
    (code >= 0x3000 && code <= 0x303f) // CJK punctuation
  );
}

/** Estimated tokens of one text (fractional; the total is rounded up once). */
export function estimateTextTokens(text: string): number {
  let cjk = 0;
  for (let i = 0; i < text.length; i++) if (isCjk(text.charCodeAt(i))) cjk++;
  return cjk + (text.length - cjk) / ANTHROPIC_TOKEN_ESTIMATE.charsPerToken;
}

function jsonTokens(value: unknown): number {
  return value === undefined ? 0 : estimateTextTokens(JSON.stringify(value) ?? '');
}

function blockTokens(block: unknown): number {
  if (typeof block === 'string') return estimateTextTokens(block);
  if (!isObject(block)) return 0;
  switch (block['type']) {
    case 'text':
      return typeof block['text'] === 'string' ? estimateTextTokens(block['text']) : 0;
    case 'image':
      return ANTHROPIC_TOKEN_ESTIMATE.imageTokens;
    case 'document': {
      const source = block['source'];
      if (isObject(source) && source['type'] === 'text' && typeof source['data'] === 'string') return estimateTextTokens(source['data']);
      if (isObject(source) && source['type'] === 'content') return contentTokens(source['content']);
      return ANTHROPIC_TOKEN_ESTIMATE.imageTokens;
    }
    case 'tool_use':
      return (typeof block['name'] === 'string' ? estimateTextTokens(block['name']) : 0) + jsonTokens(block['input']);
    case 'tool_result':
      return contentTokens(block['content']);
    case 'thinking':
    case 'redacted_thinking':
      return 0;
    default:
      return jsonTokens(block);
  }
}

function contentTokens(content: unknown): number {
  if (typeof content === 'string') return estimateTextTokens(content);
  if (!Array.isArray(content)) return 0;
  let total = 0;
  for (const block of content as unknown[]) total += blockTokens(block);
  return total;
}

function toolTokens(tool: JsonObject): number {
  // Server tools (typed) are described by Anthropic itself; their JSON is a fair stand-in.
  if (typeof tool['type'] === 'string' && tool['type'] !== 'custom') return ANTHROPIC_TOKEN_ESTIMATE.toolOverhead + jsonTokens(tool);
  let total = ANTHROPIC_TOKEN_ESTIMATE.toolOverhead;
  if (typeof tool['name'] === 'string') total += estimateTextTokens(tool['name']);
  if (typeof tool['description'] === 'string') total += estimateTextTokens(tool['description']);
  return total + jsonTokens(tool['input_schema']);
}

/** Estimated input tokens of an Anthropic Messages (or count_tokens) request body; 0 for anything else. */
export function estimateAnthropicInputTokens(body: unknown): number {
  if (!isObject(body)) return 0;
  let total = contentTokens(body['system']);
  const tools = body['tools'];
  if (Array.isArray(tools) && tools.length > 0) {
    total += ANTHROPIC_TOKEN_ESTIMATE.toolSystemPrompt;
    for (const tool of tools as unknown[]) if (isObject(tool)) total += toolTokens(tool);
  }
  const messages = body['messages'];
  if (Array.isArray(messages)) {
    for (const message of messages as unknown[]) {
      if (!isObject(message)) continue;
      total += ANTHROPIC_TOKEN_ESTIMATE.messageOverhead + contentTokens(message['content']);
    }
  }
  return Math.ceil(total);
}
