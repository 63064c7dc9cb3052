import type { ConvertContext, FinishReason } from '../../core/chat.ts';
import type { SseRecord, StreamDecoder, StreamEvent } from '../../core/stream-events.ts';
import { isObject, isString } from '../../core/json.ts';
import { preview } from '../sse-json.ts';

/**
 * CodeGeeX SSE → canonical events. The stream uses named events:
 *   event: add     data: {"id", "text": <delta>, "model"?}
 *   event: finish  data: {"id", "text": <the whole answer>, "finish_reason"?}
 * Deltas come from `add` only. `finish` repeats the complete answer: only the part the `add`
 * events did not already carry is emitted, so the answer is never doubled (the seed re-sent all
 * of it). CodeGeeX reports no usage, and llmux reports none rather than invent numbers.
 * An unnamed record is read as `add`; `event: error` or an `error` field ends the stream with an error.
 */
export function createCodeGeexStreamDecoder(ctx: ConvertContext): StreamDecoder<SseRecord> {
  let started = false;
  let closed = false;
  let sent = '';

  const fail = (message: string, status = 502): StreamEvent[] => {
    closed = true;
    return [{ type: 'error', status, message }];
  };

  return {
    push(record) {
      if (closed) return [];
      const data = record.data.trim();
      if (data === '' || data === '[DONE]') return [];
      const event = record.event ?? 'add';
      let body: unknown;
      try {
        body = JSON.parse(data);
      } catch {
        if (event === 'error') return fail(`CodeGeeX reported an error: ${preview(data)}`);
        return fail(`malformed JSON in upstream CodeGeeX stream: ${preview(data)}`);
      }
      if (!isObject(body)) return fail(`unexpected upstream CodeGeeX stream data: ${preview(data)}`);
      if (event === 'error' || (body['error'] !== undefined && body['error'] !== null)) return fail(`CodeGeeX reported an error: ${errorText(body) ?? preview(data)}`);
      if (event !== 'add' && event !== 'finish') return [];

      const out: StreamEvent[] = [];
      if (!started) {
        started = true;
        const id = body['id'];
        const model = body['model'];
        out.push({ type: 'start', id: isString(id) && id !== '' ? id : ctx.id, model: isString(model) ? model : '', created: ctx.nowSeconds });
      }
      const text = isString(body['text']) ? body['text'] : '';
      if (event === 'add') {
        if (text !== '') {
          sent += text;
          out.push({ type: 'text-delta', text });
        }
        return out;
      }
      // finish: the whole answer. Send what the deltas missed, if they were a prefix of it.
      if (text.length > sent.length && text.startsWith(sent)) out.push({ type: 'text-delta', text: text.slice(sent.length) });
      out.push({ type: 'finish', reason: finishReason(body['finish_reason']) });
      closed = true;
      return out;
    },
    end() {
      if (closed) return [];
      closed = true;
      return [{ type: 'error', status: 502, message: 'stream ended before completion' }];
    },
  };
}

function finishReason(value: unknown): FinishReason {
  return value === 'length' || value === 'max_tokens' ? 'length' : value === 'content_filter' || value === 'sensitive' ? 'content-filter' : 'stop';
}

/** The message of a CodeGeeX error body: `{msg}`, `{message}`, `{error: string | {message}}`. */
export function errorText(body: Record<string, unknown>): string | undefined {
  for (const key of ['msg', 'message', 'detail']) {
    const v = body[key];
    if (isString(v) && v !== '') return v;
  }
  const error = body['error'];
  if (isString(error) && error !== '') return error;
  if (isObject(error) && isString(error['message'])) return error['message'];
  return undefined;
}

