import type { ConvertContext, Usage } from '../../core/chat.ts';
import type { SseRecord, StreamDecoder, StreamEvent } from '../../core/stream-events.ts';
import { isFiniteNumber, isObject, isString, type JsonObject } from '../../core/json.ts';
import { sseJsonObject } from '../sse-json.ts';

/**
 * chat.qwen.ai SSE → canonical events. Frames are unnamed `data:` JSON:
 *   {"response.created": {chat_id, parent_id, response_id}}            first, gives the id
 *   {"choices":[{"delta":{role, content, phase, status}}], "usage":{…}}  the answer
 * `phase` tells thinking from answering: `think` (and `thinking_summary`) text is reasoning,
 * `answer` (or no phase) text is the answer; other phases (`web_search`…) carry no text for the
 * user. `status: "finished"` on the answer phase ends it. Usage rides on the frames and is
 * running: the last one counts. An error frame (`{"error":…}` or `{"success":false,"data":{code,
 * details}}`) ends the stream with an error. A stream that closes after answer text but without the
 * `finished` marker is taken as complete (the marker is not always sent); one that closes before
 * any answer text is not.
 */
export function createQwenStreamDecoder(ctx: ConvertContext): StreamDecoder<SseRecord> {
  let started = false;
  let closed = false;
  let answered = false;
  let id = ctx.id;
  let usage: Usage | undefined;

  const fail = (message: string, status = 502, errorType?: string): StreamEvent[] => {
    closed = true;
    return [errorType === undefined ? { type: 'error', status, message } : { type: 'error', status, message, errorType }];
  };
  const finish = (): StreamEvent[] => {
    closed = true;
    const out: StreamEvent[] = [];
    if (usage !== undefined) out.push({ type: 'usage', usage });
    out.push({ type: 'finish', reason: 'stop' });
    return out;
  };

  return {
    push(record) {
      if (closed) return [];
      const parsed = sseJsonObject(record.data, 'Qwen');
      if (parsed === undefined) return [];
      if ('error' in parsed) return fail(parsed.error);
      const body = parsed.body;
      const error = qwenErrorOf(body);
      if (error !== undefined) return fail(`Qwen reported an error: ${error.message}`, error.status, error.code);

      const out: StreamEvent[] = [];
      const created = body['response.created'];
      if (isObject(created) && isString(created['response_id']) && created['response_id'] !== '' && !started) id = created['response_id'];
      if (!started) {
        started = true;
        out.push({ type: 'start', id, model: '', created: ctx.nowSeconds });
      }
      usage = decodeQwenUsage(body['usage']) ?? usage;

      const choices = body['choices'];
      const choice = Array.isArray(choices) ? choices[0] : undefined;
      const delta = isObject(choice) ? choice['delta'] : undefined;
      if (!isObject(delta)) return out;
      const phase = isString(delta['phase']) ? delta['phase'] : 'answer';
      const content = isString(delta['content']) ? delta['content'] : '';
      if (content !== '') {
        if (phase === 'think' || phase === 'thinking_summary') out.push({ type: 'reasoning-delta', text: content });
        else if (phase === 'answer') {
          answered = true;
          out.push({ type: 'text-delta', text: content });
        }
      }
      if (phase === 'answer' && (delta['status'] === 'finished' || (isObject(choice) && isString(choice['finish_reason'])))) out.push(...finish());
      return out;
    },
    end() {
      if (closed) return [];
      if (answered) return finish();
      closed = true;
      const out: StreamEvent[] = [];
      if (usage !== undefined) out.push({ type: 'usage', usage });
      out.push({ type: 'error', status: 502, message: 'stream ended before completion' });
      return out;
    },
  };
}

/** `{input_tokens, output_tokens, output_tokens_details:{reasoning_tokens}}` → canonical usage. */
export function decodeQwenUsage(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined;
  const input = value['input_tokens'];
  const output = value['output_tokens'];
  if (!isFiniteNumber(input) && !isFiniteNumber(output)) return undefined;
  const usage: Usage = { promptTokens: isFiniteNumber(input) ? input : 0, completionTokens: isFiniteNumber(output) ? output : 0 };
  const details = value['output_tokens_details'];
  if (isObject(details) && isFiniteNumber(details['reasoning_tokens']) && details['reasoning_tokens'] > 0) usage.reasoningTokens = details['reasoning_tokens'];
  return usage;
}

/** Qwen web's error shapes, which also come with HTTP 200: `{success:false, data:{code, details}}` and `{error:…}`. */
export function qwenErrorOf(body: JsonObject): { message: string; status: number; code?: string } | undefined {
  const data = body['data'];
  if (body['success'] === false) {
    const code = isObject(data) && isString(data['code']) ? data['code'] : undefined;
    const details = isObject(data) ? (data['details'] ?? data['message']) : undefined;
    const message = isString(details) && details !== '' ? details : (code ?? 'request failed');
    return code === undefined ? { message, status: statusForCode(code) } : { message, status: statusForCode(code), code };
  }
  const error = body['error'];
  if (error === undefined || error === null) return undefined;
  if (isString(error)) return { message: error, status: 502 };
  if (isObject(error)) {
    const code = isString(error['code']) ? error['code'] : undefined;
    const m = error['message'] ?? error['details'];
    const message = isString(m) && m !== '' ? m : (code ?? 'request failed');
    return code === undefined ? { message, status: 502 } : { message, status: statusForCode(code), code };
  }
  return { message: 'request failed', status: 502 };
}

function statusForCode(code: string | undefined): number {
  if (code === undefined) return 502;
  if (/rate|limit|quota|too.?many/i.test(code)) return 429;
  return 502;
}

