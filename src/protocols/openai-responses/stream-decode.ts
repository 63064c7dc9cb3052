import type { ConvertContext } from '../../core/chat.ts';
import { isFiniteNumber, isObject, isString, type JsonObject } from '../../core/json.ts';
import type { SseRecord, StreamDecoder, StreamEvent } from '../../core/stream-events.ts';
import { decodeEnvelope } from './envelope.ts';
import { finishFor } from './response.ts';
import { decodeResponsesUsage } from './usage.ts';

interface ItemState {
  type: string;
  /** Canonical call index, for call items. */
  call?: number;
  /** Text or argument bytes already passed on as deltas. */
  streamed: boolean;
  started: boolean;
  ended: boolean;
}

/**
 * Responses SSE from an upstream → canonical events. The answer is built from each item's
 * `response.output_item.done` (with `store: false` OpenAI's backends may send an empty
 * `output` in `response.completed`), with deltas passed on as they come: text and arguments that
 * arrive only in a `.done` event or only in the done item are still delivered. The event type is
 * read from the data's `type` (the `event:` line as a fallback). A stream without a terminal event
 * ends with an error.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export function createResponsesStreamDecoder(ctx: ConvertContext): StreamDecoder<SseRecord> {
  let started = false;
  let closed = false;
  let calls = 0;
  const items = new Map<number, ItemState>();

  const fail = (message: string, status = 502, errorType?: string): StreamEvent[] => {
    closed = true;
    return [errorType === undefined ? { type: 'error', status, message } : { type: 'error', status, message, errorType }];
  };

  const startEvent = (response: unknown): StreamEvent[] => {
    if (started) return [];
    started = true;
    const r = isObject(response) ? response : {};
    return [{ type: 'start', id: isString(r['id']) ? r['id'] : ctx.id, model: isString(r['model']) ? r['model'] : '', created: isFiniteNumber(r['created_at']) ? r['created_at'] : ctx.nowSeconds }];
  };

  const stateFor = (index: number, type: string): ItemState => {
    let s = items.get(index);
    if (s === undefined) {
      s = { type, streamed: false, started: false, ended: false };
      items.set(index, s);
    }
    return s;
  };

  const startCall = (s: ItemState, item: JsonObject, out: StreamEvent[]): void => {
    if (s.started) return;
    s.started = true;
    s.call = calls++;
    const name = isString(item['name']) ? item['name'] : '';
    const callId = isString(item['call_id']) ? item['call_id'] : isString(item['id']) ? item['id'] : `call_${ctx.id}_${s.call}`;
    out.push({ type: 'tool-call-start', index: s.call, id: callId, name });
  };

  const itemDone = (index: number, item: JsonObject, out: StreamEvent[]): void => {
    const type = isString(item['type']) ? item['type'] : '';
    const s = stateFor(index, type);
    if (s.ended) return;
    s.ended = true;
    if (type === 'message') {
      if (s.streamed) return;
      const parts = Array.isArray(item['content']) ? item['content'] : [];
      const text = parts.map((p) => (isObject(p) ? (isString(p['text']) ? p['text'] : isString(p['refusal']) ? p['refusal'] : '') : '')).join('');
      if (text !== '') out.push({ type: 'text-delta', text });
    } else if (type === 'reasoning') {
      if (!s.streamed) {
        const summary = Array.isArray(item['summary']) ? item['summary'] : [];
        const text = summary.map((p) => (isObject(p) && isString(p['text']) ? p['text'] : '')).join('\n\n');
        if (text !== '') out.push({ type: 'reasoning-delta', text });
      }
      const encrypted = item['encrypted_content'];
      if (isString(encrypted) && encrypted !== '') {
        const env = decodeEnvelope(encrypted);
        if (env?.signature !== undefined) out.push({ type: 'reasoning-signature', signature: env.signature, family: env.family });
        else if (env === undefined) out.push({ type: 'reasoning-signature', signature: encrypted, family: 'openai', ...(isString(item['id']) ? { itemId: item['id'] } : {}) });
      }
    } else if (type === 'function_call' || type === 'custom_tool_call') {
      startCall(s, item, out);
      const index = s.call ?? 0;
      if (!s.streamed) {
        const args = type === 'custom_tool_call' ? JSON.stringify({ input: isString(item['input']) ? item['input'] : '' }) : isString(item['arguments']) && item['arguments'] !== '' ? item['arguments'] : '{}';
        out.push({ type: 'tool-call-delta', index, argumentsDelta: args });
      }
      out.push({ type: 'tool-call-end', index });
    }
  };

  const terminal = (data: JsonObject, type: string, out: StreamEvent[]): void => {
    closed = true;
    const response = isObject(data['response']) ? data['response'] : {};
    out.push(...startEvent(response));
    // Items only listed in the final response (no done event seen) still count.
    const output = Array.isArray(response['output']) ? response['output'] : [];
    output.forEach((item, i) => {
      if (isObject(item) && !items.get(i)?.ended) itemDone(i, item, out);
    });
    const usage = decodeResponsesUsage(response['usage']);
    if (type === 'response.failed') {
      const error = isObject(response['error']) ? response['error'] : {};
      if (usage !== undefined) out.push({ type: 'usage', usage });
      const code = isString(error['code']) ? error['code'] : undefined;
      out.push({ type: 'error', status: code === 'rate_limit_exceeded' ? 429 : 502, message: isString(error['message']) ? error['message'] : 'the upstream response failed', ...(code === undefined ? {} : { errorType: code }) });
      return;
    }
    const incomplete = isObject(response['incomplete_details']) ? response['incomplete_details']['reason'] : undefined;
    out.push({ type: 'finish', reason: finishFor(type === 'response.incomplete' ? 'incomplete' : 'completed', incomplete, calls > 0) });
    if (usage !== undefined) out.push({ type: 'usage', usage });
  };

  return {
    push(record: SseRecord): StreamEvent[] {
      if (closed) return [];
      let data: unknown;
      try {
        data = JSON.parse(record.data);
      } catch {
        return fail(`the upstream sent malformed stream data: ${record.data.slice(0, 200)}`);
      }
      if (!isObject(data)) return [];
      const type = isString(data['type']) ? data['type'] : (record.event ?? '');
      const out: StreamEvent[] = [];
      const index = isFiniteNumber(data['output_index']) ? data['output_index'] : 0;
      switch (type) {
        case 'response.created':
        case 'response.in_progress':
        case 'response.queued':
          out.push(...startEvent(data['response']));
          break;
        case 'response.output_item.added': {
          out.push(...startEvent(undefined));
          const item = isObject(data['item']) ? data['item'] : {};
          const itemType = isString(item['type']) ? item['type'] : '';
          const s = stateFor(index, itemType);
          if (itemType === 'function_call' || itemType === 'custom_tool_call') startCall(s, item, out);
          break;
        }
        case 'response.output_text.delta':
        case 'response.refusal.delta': {
          const delta = data['delta'];
          if (isString(delta) && delta !== '') {
            out.push(...startEvent(undefined));
            stateFor(index, 'message').streamed = true;
            out.push({ type: 'text-delta', text: delta });
          }
          break;
        }
        case 'response.output_text.done': {
          const s = stateFor(index, 'message');
          if (!s.streamed && isString(data['text']) && data['text'] !== '') {
            s.streamed = true;
            out.push({ type: 'text-delta', text: data['text'] });
          }
          break;
        }
        case 'response.reasoning_summary_text.delta':
        case 'response.reasoning_text.delta': {
          const delta = data['delta'];
          if (isString(delta) && delta !== '') {
            stateFor(index, 'reasoning').streamed = true;
            out.push({ type: 'reasoning-delta', text: delta });
          }
          break;
        }
        case 'response.function_call_arguments.delta': {
          const s = stateFor(index, 'function_call');
          const delta = data['delta'];
          if (s.call !== undefined && isString(delta) && delta !== '') {
            s.streamed = true;
            out.push({ type: 'tool-call-delta', index: s.call, argumentsDelta: delta });
          }
          break;
        }
        case 'response.function_call_arguments.done': {
          const s = stateFor(index, 'function_call');
          if (s.call !== undefined && !s.streamed && isString(data['arguments'])) {
            s.streamed = true;
            out.push({ type: 'tool-call-delta', index: s.call, argumentsDelta: data['arguments'] === '' ? '{}' : data['arguments'] });
          }
          break;
        }
        case 'response.output_item.done':
          if (isObject(data['item'])) itemDone(index, data['item'], out);
          break;
        case 'response.completed':
        case 'response.incomplete':
        case 'response.failed':
          terminal(data, type, out);
          break;
        case 'error': {
          const code = isString(data['code']) ? data['code'] : undefined;
          return fail(isString(data['message']) ? data['message'] : 'the upstream reported an error', code === 'rate_limit_exceeded' ? 429 : 502, code);
        }
        default:
          break;
      }
      return out;
    },
    end(): StreamEvent[] {
      if (closed) return [];
      return fail('the upstream stream ended before response.completed');
    },
  };
}
