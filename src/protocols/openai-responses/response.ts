import type { ChatRequest, ChatResponse, ConvertContext, FinishReason, ReasoningPart, TextPart, ToolCallPart } from '../../core/chat.ts';
import { GatewayError } from '../../core/errors.ts';
import { isFiniteNumber, isObject, isString, type JsonObject } from '../../core/json.ts';
import { decodeEnvelope, encodeEnvelope } from './envelope.ts';
import { callItem, itemId, reasoningItem, responseObject, statusFor } from './items.ts';
import { requestInfo } from './request-info.ts';
import { decodeResponsesUsage, encodeResponsesUsage } from './usage.ts';
import type { MessageItem, OutputItem, ResponseObject } from './wire.ts';

/**
 * Canonical answer → Response object. Consecutive text parts form one `message` item; each
 * reasoning part a `reasoning` item; each call a `function_call` (or `custom_tool_call`) item.
 * `length` and `content-filter` finishes are `incomplete` with their reason.
 */
export function encodeResponsesResponse(res: ChatResponse, ctx: ConvertContext, req?: ChatRequest): ResponseObject {
  const info = requestInfo(req);
  const output: OutputItem[] = [];
  let n = 0;
  let message: MessageItem | undefined;
  for (const part of res.content) {
    if (part.type === 'text') {
      if (message === undefined) {
        message = { type: 'message', id: itemId(ctx, 'msg', n++), status: 'completed', role: 'assistant', content: [] };
        output.push(message);
      }
      const last = message.content.at(-1);
      if (last !== undefined) last.text += part.text;
      else message.content.push({ type: 'output_text', text: part.text, annotations: [], logprobs: [] });
      continue;
    }
    message = undefined;
    if (part.type === 'reasoning') {
      const item = reasoningItem(part, info, itemId(ctx, 'rs', n++));
      if (item.summary.length > 0 || item.encrypted_content !== undefined) output.push(item);
    } else {
      if (part.signature !== undefined && part.family === 'gemini' && info?.includeEncrypted === true) {
        output.push({ type: 'reasoning', id: itemId(ctx, 'rs', n++), summary: [], encrypted_content: envelopeForCall(part) });
      }
      output.push(callItem(info, itemId(ctx, info?.custom.has(part.name) === true ? 'ctc' : 'fc', n++), part.id, part.name, part.arguments === '' ? '{}' : part.arguments, 'completed'));
    }
  }
  const { status, incomplete } = statusFor(res.finishReason);
  return responseObject({ id: ctx.id, created: res.created, model: res.model, status, output, usage: encodeResponsesUsage(res.usage), incomplete }, info);
}


/** Gemini's signature on a call travels in a reasoning item that names the call. */
export function envelopeForCall(part: Pick<ToolCallPart, 'id' | 'signature'>): string {
  return encodeEnvelope({ family: 'gemini', callId: part.id, ...(part.signature === undefined ? {} : { signature: part.signature }) });
}

/**
 * Response object from a Responses upstream → canonical answer. OpenAI's reasoning items keep
 * their id and encrypted content (bound together); an envelope of llmux's own is opened.
 */
export function decodeResponsesResponse(body: unknown, ctx: ConvertContext): ChatResponse {
  if (!isObject(body)) throw new GatewayError('upstream_error', 'the Responses upstream answered with something other than a JSON object');
  if (body['status'] === 'failed' && isObject(body['error'])) {
    throw new GatewayError('upstream_error', isString(body['error']['message']) ? body['error']['message'] : 'the upstream response failed');
  }
  const content: ChatResponse['content'] = [];
  for (const item of Array.isArray(body['output']) ? body['output'] : []) if (isObject(item)) content.push(...decodeOutputItem(item));
  const incomplete = isObject(body['incomplete_details']) ? body['incomplete_details']['reason'] : undefined;
  const res: ChatResponse = {
    id: isString(body['id']) ? body['id'] : ctx.id,
    model: isString(body['model']) ? body['model'] : '',
    created: isFiniteNumber(body['created_at']) ? body['created_at'] : ctx.nowSeconds,
    content,
    finishReason: finishFor(body['status'], incomplete, content.some((p) => p.type === 'tool-call')),
  };
  const usage = decodeResponsesUsage(body['usage']);
  if (usage !== undefined) res.usage = usage;
  return res;
}

export function finishFor(status: unknown, incompleteReason: unknown, hasCalls: boolean): FinishReason {
  if (status === 'incomplete') return incompleteReason === 'content_filter' ? 'content-filter' : 'length';
  return hasCalls ? 'tool-calls' : 'stop';
}

export function decodeOutputItem(item: JsonObject): Array<TextPart | ReasoningPart | ToolCallPart> {
  switch (item['type']) {
    case 'message': {
      const parts = Array.isArray(item['content']) ? item['content'] : [];
      const text = parts.map((p) => (isObject(p) ? (isString(p['text']) ? p['text'] : isString(p['refusal']) ? p['refusal'] : '') : '')).join('');
      return text === '' ? [] : [{ type: 'text', text }];
    }
    case 'reasoning': {
      const summary = Array.isArray(item['summary']) ? item['summary'] : [];
      const raw = Array.isArray(item['content']) ? item['content'] : [];
      const texts = [...summary, ...(summary.length === 0 ? raw : [])].map((s) => (isObject(s) && isString(s['text']) ? s['text'] : ''));
      const text = texts.join('\n\n');
      const encrypted = item['encrypted_content'];
      const env = isString(encrypted) ? decodeEnvelope(encrypted) : undefined;
      if (env !== undefined) return [{ type: 'reasoning', text: env.text ?? text, family: env.family, ...(env.signature === undefined ? {} : { signature: env.signature }) }];
      const part: ReasoningPart = { type: 'reasoning', text };
      if (isString(encrypted) && encrypted !== '') {
        part.signature = encrypted;
        part.family = 'openai';
      }
      if (isString(item['id'])) part.itemId = item['id'];
      return text === '' && part.signature === undefined ? [] : [part];
    }
    case 'function_call':
    case 'custom_tool_call': {
      const callId = isString(item['call_id']) ? item['call_id'] : isString(item['id']) ? item['id'] : '';
      const name = isString(item['name']) ? item['name'] : '';
      const args = item['type'] === 'custom_tool_call' ? JSON.stringify({ input: isString(item['input']) ? item['input'] : '' }) : isString(item['arguments']) && item['arguments'] !== '' ? item['arguments'] : '{}';
      return [{ type: 'tool-call', id: callId, name, arguments: args }];
    }
    default:
      return [];
  }
}
