import type { ChatResponse, ConvertContext } from '../../core/chat.ts';
import { GatewayError } from '../../core/errors.ts';
import { collectSseText } from '../collect-stream.ts';
import { isObject, isString } from '../../core/json.ts';
import { createCodeGeexStreamDecoder, errorText } from './chat-stream.ts';

/**
 * A whole CodeGeeX answer → canonical. The chat endpoint streams even for a non-stream client,
 * so the body is usually SSE text, read through the stream decoder (the `finish` event's full
 * text is the answer). A JSON body is either the single-answer form `{id, text, finish_reason}`
 * or an error such as `{code, msg}`.
 */
export function decodeCodeGeexChatResponse(body: unknown, ctx: ConvertContext): ChatResponse {
  if (isString(body)) return collectSseText(body, createCodeGeexStreamDecoder(ctx), ctx);
  if (isObject(body) && isString(body['text']) && (body['error'] === undefined || body['error'] === null)) {
    const id = body['id'];
    const model = body['model'];
    return {
      id: isString(id) && id !== '' ? id : ctx.id,
      model: isString(model) ? model : '',
      created: ctx.nowSeconds,
      content: body['text'] === '' ? [] : [{ type: 'text', text: body['text'] }],
      finishReason: body['finish_reason'] === 'length' ? 'length' : 'stop',
    };
  }
  const message = isObject(body) ? errorText(body) : undefined;
  throw new GatewayError('upstream_error', `CodeGeeX answered without an answer${message === undefined ? '' : `: ${message}`}`);
}

/** Error bodies: JSON with `msg`/`message`/`error`, or plain text. */
export function decodeCodeGeexError(status: number, body: unknown): { message: string } {
  if (isObject(body)) return { message: errorText(body) ?? `upstream returned HTTP ${status}` };
  if (isString(body) && body.trim() !== '') return { message: body.trim().slice(0, 2000) };
  return { message: `upstream returned HTTP ${status}` };
}
