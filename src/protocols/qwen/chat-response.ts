import type { ChatResponse, ConvertContext, ReasoningPart, TextPart } from '../../core/chat.ts';
import { GatewayError } from '../../core/errors.ts';
import { collectSseText } from '../collect-stream.ts';
import { isObject, isString } from '../../core/json.ts';
import { createQwenStreamDecoder, decodeQwenUsage, qwenErrorOf } from './chat-stream.ts';

/**
 * A whole Qwen web answer → canonical. llmux always asks Qwen to stream, so the body is normally
 * the SSE text, read through the stream decoder. A JSON body is an error (Qwen answers those with
 * HTTP 200 too) or, tolerated, an OpenAI-like `{choices:[{message:{content, reasoning_content}}]}`.
 */
export function decodeQwenChatResponse(body: unknown, ctx: ConvertContext): ChatResponse {
  if (isString(body)) return collectSseText(body, createQwenStreamDecoder(ctx), ctx);
  if (!isObject(body)) throw new GatewayError('upstream_error', 'Qwen answered with a body that is not a JSON object');
  const error = qwenErrorOf(body);
  if (error !== undefined) {
    throw new GatewayError(error.status === 429 ? 'rate_limited' : 'upstream_error', `Qwen reported an error: ${error.message}`, error.code === undefined ? {} : { upstreamType: error.code });
  }
  const root = isObject(body['data']) ? body['data'] : body;
  const choices = root['choices'];
  const choice = Array.isArray(choices) ? choices[0] : undefined;
  const message = isObject(choice) ? choice['message'] : undefined;
  if (!isObject(message)) throw new GatewayError('upstream_error', 'Qwen answered without an answer');
  const content: Array<TextPart | ReasoningPart> = [];
  if (isString(message['reasoning_content']) && message['reasoning_content'] !== '') content.push({ type: 'reasoning', text: message['reasoning_content'] });
  if (isString(message['content']) && message['content'] !== '') content.push({ type: 'text', text: message['content'] });
  const res: ChatResponse = { id: isString(root['id']) ? root['id'] : ctx.id, model: isString(root['model']) ? root['model'] : '', created: ctx.nowSeconds, content, finishReason: 'stop' };
  const usage = decodeQwenUsage(root['usage']);
  if (usage !== undefined) res.usage = usage;
  return res;
}

/** Error bodies: Qwen's own shapes, `{detail}` (FastAPI-style 401s), or text. */
export function decodeQwenError(status: number, body: unknown): { message: string; type?: string } {
  if (isObject(body)) {
    const error = qwenErrorOf(body);
    if (error !== undefined) return error.code === undefined ? { message: error.message } : { message: error.message, type: error.code };
    const detail = body['detail'] ?? body['message'] ?? body['msg'];
    if (isString(detail) && detail !== '') return { message: detail };
  }
  if (isString(body) && body.trim() !== '') return { message: body.trim().slice(0, 2000) };
  return { message: `upstream returned HTTP ${status}` };
}
