import type { ChatResponse, ConvertContext, ReasoningPart, TextPart, ToolCallPart } from '../../core/chat.ts';
import { GatewayError } from '../../core/errors.ts';
import { mapGeminiFinishReasonFromCanonical, mapGeminiFinishReasonToCanonical } from './finish-reason.ts';
import { answerCallId, encodeGeminiModelParts } from './parts.ts';
import { decodeGeminiUsage, encodeGeminiUsage } from './usage.ts';
import { field, type GeminiCandidate, type GeminiChatResponse } from './wire.ts';
import { isObject, isString, type JsonObject } from '../../core/json.ts';

/**
 * Gemini `GenerateContentResponse` ⇄ canonical response.
 * @see https://ai.google.dev/api/generate-content#generatecontentresponse
 */

/**
 * An upstream answer → canonical. Only the first candidate is read (llmux asks for one).
 * - text → text; `thought: true` text → reasoning (family gemini, with its signature); a
 *   signature on a plain text part → an empty signed reasoning part just before that text, the
 *   same convention the request decoder uses, so it can go back where it came from.
 * - functionCall → tool call; Gemini ids are kept, missing ones become `call_<ctx.id>_<index>`.
 * - Parts with no canonical form in an answer (inline images from image models, executable code)
 *   are left out.
 * - A blocked prompt (`promptFeedback.blockReason`, no candidates) is an empty content-filter answer.
 */
export function decodeGeminiChatResponse(body: unknown, ctx: ConvertContext): ChatResponse {
  if (!isObject(body)) throw new GatewayError('upstream_error', 'Gemini answered with a body that is not a JSON object');
  const error = body['error'];
  if (isObject(error)) {
    const message = isString(error['message']) ? error['message'] : 'Gemini returned an error';
    const status = error['status'];
    throw new GatewayError('upstream_error', message, isString(status) ? { upstreamType: status } : {});
  }
  const responseId = field(body, 'responseId');
  const modelVersion = field(body, 'modelVersion');
  const res: ChatResponse = {
    id: isString(responseId) && responseId !== '' ? responseId : ctx.id,
    model: isString(modelVersion) ? modelVersion : '',
    created: ctx.nowSeconds,
    content: [],
    finishReason: 'stop',
  };
  const usage = decodeGeminiUsage(field(body, 'usageMetadata'));
  if (usage !== undefined) res.usage = usage;

  const candidates = body['candidates'];
  const candidate = Array.isArray(candidates) ? candidates[0] : undefined;
  if (!isObject(candidate)) {
    if (isBlockedPrompt(body)) {
      res.finishReason = 'content-filter';
      return res;
    }
    throw new GatewayError('upstream_error', 'Gemini answered without candidates');
  }
  const content = candidate['content'];
  const parts = isObject(content) && Array.isArray(content['parts']) ? content['parts'] : [];
  let calls = 0;
  for (const part of parts) {
    if (!isObject(part)) continue;
    for (const decoded of decodeAnswerPart(part, () => answerCallId(res.id, calls))) {
      if (decoded.type === 'tool-call') calls++;
      res.content.push(decoded);
    }
  }
  res.finishReason = mapGeminiFinishReasonToCanonical(field(candidate, 'finishReason'), calls > 0);
  return res;
}

/** `promptFeedback.blockReason` set: the prompt itself was refused. */
export function isBlockedPrompt(body: JsonObject): boolean {
  const feedback = field(body, 'promptFeedback');
  return isObject(feedback) && isString(field(feedback, 'blockReason'));
}

/**
 * One answer part → canonical parts; `nextCallId` gives the id of a call Gemini sent without one.
 * Shared with the stream decoder, which receives whole parts too.
 */
export function decodeAnswerPart(part: JsonObject, nextCallId: () => string): Array<TextPart | ReasoningPart | ToolCallPart> {
  const rawSignature = field(part, 'thoughtSignature');
  const signature = isString(rawSignature) && rawSignature !== '' ? rawSignature : undefined;
  const call = field(part, 'functionCall');
  if (isObject(call)) {
    const rawId = call['id'];
    const name = isString(call['name']) ? call['name'] : '';
    const args = call['args'];
    const id = isString(rawId) && rawId !== '' ? rawId : nextCallId();
    const toolCall: ToolCallPart = { type: 'tool-call', id, name, arguments: JSON.stringify(isObject(args) ? args : {}) };
    if (signature !== undefined) {
      toolCall.signature = signature;
      toolCall.family = 'gemini';
    }
    return [toolCall];
  }
  const text = isString(part['text']) ? part['text'] : undefined;
  if (part['thought'] === true) {
    const reasoning: ReasoningPart = { type: 'reasoning', text: text ?? '', family: 'gemini' };
    if (signature !== undefined) reasoning.signature = signature;
    return reasoning.text === '' && signature === undefined ? [] : [reasoning];
  }
  const out: Array<TextPart | ReasoningPart> = [];
  if (signature !== undefined) out.push({ type: 'reasoning', text: '', signature, family: 'gemini' });
  if (text !== undefined && text !== '') out.push({ type: 'text', text });
  return out;
}

/**
 * Canonical → a Gemini client's `GenerateContentResponse`. All reasoning is shown as thought
 * parts; only Gemini's own signatures ride along. Tool-call arguments that are not a JSON object
 * cannot become `args`, which is an upstream fault (`upstream_error`), never a silent `{}`.
 */
export function encodeGeminiChatResponse(res: ChatResponse, _ctx: ConvertContext): GeminiChatResponse {
  const parts = encodeGeminiModelParts(res.content, {
    foreignReasoning: 'thought',
    badArguments: (i) => new GatewayError('upstream_error', `the provider returned tool call arguments that are not a JSON object (content[${i}])`),
  });
  const candidate: GeminiCandidate = {
    content: { role: 'model', parts },
    finishReason: mapGeminiFinishReasonFromCanonical(res.finishReason),
    index: 0,
  };
  const out: GeminiChatResponse = { candidates: [candidate], modelVersion: res.model, responseId: res.id };
  if (res.usage !== undefined) out.usageMetadata = encodeGeminiUsage(res.usage);
  return out;
}
