import { field } from './wire.ts';
import { isObject, isString } from '../../core/json.ts';

/**
 * A local estimate for `models/{m}:countTokens` when the provider cannot count (a non-Gemini
 * provider behind the Gemini front door). It is deliberately simple: CJK characters cost about one
 * token each, other text about one token per four characters, and an image 258 tokens (Gemini's
 * charge for an image up to 384 px). It counts the system instruction, the tools and the contents.
 * @see https://ai.google.dev/api/tokens#method:-models.counttokens
 * @see https://ai.google.dev/gemini-api/docs/tokens#multimodal-tokens
 */
export function estimateGeminiInputTokens(body: unknown): { totalTokens: number } {
  const counter = { cjk: 0, other: 0, media: 0 };
  if (isObject(body)) {
    // countTokens takes either {contents} or {generateContentRequest: {contents, tools, …}}.
    const inner = field(body, 'generateContentRequest');
    const request = isObject(inner) ? inner : body;
    countContent(field(request, 'systemInstruction'), counter);
    const contents = request['contents'];
    if (Array.isArray(contents)) for (const content of contents) countContent(content, counter);
    const tools = request['tools'];
    if (tools !== undefined) countText(JSON.stringify(tools), counter);
  }
  return { totalTokens: counter.cjk + Math.ceil(counter.other / 4) + counter.media };
}

/** Tokens charged for one image part. */
export const IMAGE_TOKENS = 258;

interface Counter {
  cjk: number;
  other: number;
  media: number;
}

function countContent(content: unknown, counter: Counter): void {
  if (isString(content)) return countText(content, counter);
  if (!isObject(content)) return;
  const parts = content['parts'];
  if (!Array.isArray(parts)) return;
  for (const part of parts) {
    if (!isObject(part)) continue;
    if (isString(part['text'])) countText(part['text'], counter);
    const call = field(part, 'functionCall');
    if (isObject(call)) countText(JSON.stringify(call), counter);
    const response = field(part, 'functionResponse');
    if (isObject(response)) countText(JSON.stringify(response), counter);
    if (field(part, 'inlineData') !== undefined || field(part, 'fileData') !== undefined) counter.media += IMAGE_TOKENS;
  }
}

/** Han (incl. extensions), kana, Hangul, CJK punctuation and full-width forms. */
const CJK = /[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u{20000}-\u{2fa1f}]/u;

function countText(text: string, counter: Counter): void {
  for (const char of text) {
    if (CJK.test(char)) counter.cjk++;
    else counter.other++;
  }
}
