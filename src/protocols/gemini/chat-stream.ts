import type { ConvertContext, FinishReason, Usage } from '../../core/chat.ts';
import type { SseRecord, StreamDecoder, StreamEncoder, StreamEvent } from '../../core/stream-events.ts';
import { sseJsonObject } from '../sse-json.ts';
import { decodeAnswerPart, isBlockedPrompt } from './chat-response.ts';
import { geminiErrorBody, httpStatusForGemini } from './errors.ts';
import { mapGeminiFinishReasonFromCanonical, mapGeminiFinishReasonToCanonical } from './finish-reason.ts';
import { answerCallId, parseToolArguments } from './parts.ts';
import { decodeGeminiUsage, encodeGeminiUsage } from './usage.ts';
import { field, type GeminiChatResponse, type GeminiPart } from './wire.ts';
import { isFiniteNumber, isObject, isString } from '../../core/json.ts';

/**
 * `streamGenerateContent?alt=sse` ⇄ canonical stream events.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */

/**
 * Upstream Gemini stream → canonical events, one SSE record at a time.
 * - Every record is a whole `GenerateContentResponse` holding only the new parts; there is no
 *   `[DONE]` (one is tolerated), the stream ends with the connection.
 * - The first record yields `start` (id from `responseId`, else ctx.id).
 * - A functionCall part arrives whole: it yields tool-call-start, one tool-call-delta with the
 *   complete arguments JSON, and tool-call-end, the index counted across the stream.
 * - `usageMetadata` is running on intermediate records: the first one is emitted at once, ahead
 *   of its record's content (it already holds the prompt count), and the latest one again just
 *   before `finish`, which comes with the first record carrying a `finishReason` (`tool-calls`
 *   when any call was seen), or a blocked prompt.
 * - `{"error":{…}}` data and unparseable data yield an error event and end the stream.
 */
export function createGeminiStreamDecoder(ctx: ConvertContext): StreamDecoder<SseRecord> {
  let started = false;
  let closed = false;
  let id = ctx.id;
  let calls = 0;
  let usage: Usage | undefined;
  /** The usage last emitted, so an unchanged count is not sent twice. */
  let reported: Usage | undefined;

  const fail = (event: Extract<StreamEvent, { type: 'error' }>): StreamEvent[] => {
    closed = true;
    return [event];
  };

  return {
    push(record) {
      if (closed) return [];
      const parsed = sseJsonObject(record.data, 'Gemini');
      if (parsed === undefined) return [];
      if ('error' in parsed) return fail({ type: 'error', status: 502, message: parsed.error });
      const body = parsed.body;

      const error = body['error'];
      if (isObject(error)) {
        const message = isString(error['message']) && error['message'] !== '' ? error['message'] : 'Gemini reported an error in the stream';
        const status = isString(error['status']) ? error['status'] : undefined;
        const code = isFiniteNumber(error['code']) && error['code'] >= 400 ? error['code'] : httpStatusForGemini(status);
        return fail(status === undefined ? { type: 'error', status: code, message } : { type: 'error', status: code, message, errorType: status });
      }

      const out: StreamEvent[] = [];
      if (!started) {
        started = true;
        const responseId = field(body, 'responseId');
        const model = field(body, 'modelVersion');
        if (isString(responseId) && responseId !== '') id = responseId;
        out.push({ type: 'start', id, model: isString(model) ? model : '', created: ctx.nowSeconds });
      }
      const counted = decodeGeminiUsage(field(body, 'usageMetadata'));
      // The first count goes out before this record's content: it already holds the prompt size,
      // which an Anthropic client expects at the start of the answer.
      if (counted !== undefined && usage === undefined) {
        out.push({ type: 'usage', usage: counted });
        reported = counted;
      }
      usage = counted ?? usage;

      const candidates = body['candidates'];
      const candidate = Array.isArray(candidates) ? candidates[0] : undefined;
      let reason: FinishReason | undefined;
      if (isObject(candidate)) {
        const content = candidate['content'];
        const parts = isObject(content) && Array.isArray(content['parts']) ? content['parts'] : [];
        for (const part of parts) {
          if (!isObject(part)) continue;
          for (const item of decodeAnswerPart(part, () => answerCallId(id, calls))) {
            if (item.type === 'text') out.push({ type: 'text-delta', text: item.text });
            else if (item.type === 'reasoning') {
              if (item.text !== '') out.push({ type: 'reasoning-delta', text: item.text });
              if (item.signature !== undefined) out.push({ type: 'reasoning-signature', signature: item.signature, family: 'gemini' });
            } else {
              const index = calls++;
              const start: Extract<StreamEvent, { type: 'tool-call-start' }> = { type: 'tool-call-start', index, id: item.id, name: item.name };
              if (item.signature !== undefined) {
                start.signature = item.signature;
                start.family = 'gemini';
              }
              out.push(start, { type: 'tool-call-delta', index, argumentsDelta: item.arguments }, { type: 'tool-call-end', index });
            }
          }
        }
        const finishReason = field(candidate, 'finishReason');
        if (isString(finishReason) && finishReason !== '') reason = mapGeminiFinishReasonToCanonical(finishReason, calls > 0);
      } else if (isBlockedPrompt(body)) {
        reason = 'content-filter';
      }
      if (reason !== undefined) {
        if (usage !== undefined && usage !== reported) out.push({ type: 'usage', usage });
        out.push({ type: 'finish', reason });
        closed = true;
      }
      return out;
    },
    end() {
      if (closed) return [];
      closed = true;
      const out: StreamEvent[] = [];
      // Tokens were spent even if the answer never finished; let the gateway count them.
      if (usage !== undefined && usage !== reported) out.push({ type: 'usage', usage });
      out.push({ type: 'error', status: 502, message: 'stream ended before completion' });
      return out;
    },
  };
}

/**
 * Whether a Gemini stream record ends the answer (a `finishReason`, or a blocked prompt): what a
 * same-protocol pass-through checks to tell a complete stream from a cut one.
 */
export function isGeminiStreamComplete(record: SseRecord): boolean {
  let body: unknown;
  try {
    body = JSON.parse(record.data);
  } catch {
    return false;
  }
  if (!isObject(body)) return false;
  const candidates = body['candidates'];
  const candidate = Array.isArray(candidates) ? candidates[0] : undefined;
  if (isObject(candidate)) {
    const reason = field(candidate, 'finishReason');
    return isString(reason) && reason !== '';
  }
  return isBlockedPrompt(body);
}

interface BufferedCall {
  id: string;
  name: string;
  arguments: string;
  signature: string | undefined;
}

/**
 * Canonical events → a Gemini client's SSE stream: one `data:` record per content event, each a
 * valid `GenerateContentResponse` (`responseId` and `modelVersion` on every record, as Gemini does).
 * - Tool calls must reach a Gemini client whole: argument fragments are buffered from
 *   tool-call-start to tool-call-end, then sent as one functionCall part with the parsed args.
 *   Arguments that are not a JSON object end the stream with an error record (sending `{}`
 *   instead would run the tool with the wrong input).
 * - The record with `finishReason` and `usageMetadata` is written at `end()`, because some
 *   upstreams (OpenAI) send their usage after the finish; it carries the latest usage seen.
 * - A Gemini signature travels as `thoughtSignature` on the part it belongs to; reasoning
 *   signatures of other families are never shown to a Gemini client.
 * - `error` becomes `data: {"error":{code, message, status}}` and ends the stream.
 */
export function createGeminiStreamEncoder(ctx: ConvertContext, opts: { model: string }): StreamEncoder {
  let responseId = ctx.id;
  let usage: Usage | undefined;
  let finish: FinishReason | undefined;
  let closed = false;
  let lastWasThought = false;
  const calls = new Map<number, BufferedCall>();

  const frame = (parts: GeminiPart[]): SseRecord => {
    const body: GeminiChatResponse = {
      candidates: [{ content: { role: 'model', parts }, index: 0 }],
      modelVersion: opts.model,
      responseId,
    };
    return { data: JSON.stringify(body) };
  };

  const errorRecord = (status: number, message: string, errorType: string | undefined): SseRecord => {
    closed = true;
    return { data: JSON.stringify(geminiErrorBody(status, message, { upstreamType: errorType })) };
  };

  /** Sends a finished call, or an error record when its arguments are not a JSON object. */
  const sendCall = (index: number): SseRecord[] => {
    const call = calls.get(index);
    if (call === undefined) return [];
    calls.delete(index);
    const args = parseToolArguments(call.arguments);
    if (args === undefined) {
      return [errorRecord(502, `the provider sent tool call "${call.name}" with arguments that are not a JSON object`, undefined)];
    }
    const part: GeminiPart = { functionCall: { id: call.id, name: call.name, args } };
    if (call.signature !== undefined) part.thoughtSignature = call.signature;
    lastWasThought = false;
    return [frame([part])];
  };

  return {
    push(event) {
      if (closed || (finish !== undefined && event.type !== 'usage' && event.type !== 'error')) return [];
      switch (event.type) {
        case 'start':
          if (event.id !== '') responseId = event.id;
          return [];
        case 'text-delta':
          if (event.text === '') return [];
          lastWasThought = false;
          return [frame([{ text: event.text }])];
        case 'reasoning-delta':
          if (event.text === '') return [];
          lastWasThought = true;
          return [frame([{ text: event.text, thought: true }])];
        case 'reasoning-signature':
          if (event.family !== 'gemini') return [];
          return [frame([lastWasThought ? { text: '', thought: true, thoughtSignature: event.signature } : { text: '', thoughtSignature: event.signature }])];
        case 'redacted-reasoning':
          // Anthropic-only encrypted thinking: nothing a Gemini client could read or replay.
          return [];
        case 'tool-call-start': {
          const signature = event.family === 'gemini' ? event.signature : undefined;
          calls.set(event.index, { id: event.id, name: event.name, arguments: '', signature });
          return [];
        }
        case 'tool-call-delta': {
          const call = calls.get(event.index);
          if (call !== undefined) call.arguments += event.argumentsDelta;
          return [];
        }
        case 'tool-call-end':
          return sendCall(event.index);
        case 'usage':
          usage = event.usage;
          return [];
        case 'finish': {
          // Calls a decoder never ended are complete by now.
          const out: SseRecord[] = [];
          for (const index of [...calls.keys()].sort((a, b) => a - b)) {
            out.push(...sendCall(index));
            if (closed) return out;
          }
          finish = event.reason;
          return out;
        }
        case 'error':
          return [errorRecord(event.status, event.message, event.errorType)];
      }
    },
    end() {
      if (closed) return [];
      closed = true;
      if (finish === undefined) return [];
      const body: GeminiChatResponse = {
        candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: mapGeminiFinishReasonFromCanonical(finish), index: 0 }],
        modelVersion: opts.model,
        responseId,
      };
      if (usage !== undefined) body.usageMetadata = encodeGeminiUsage(usage);
      return [{ data: JSON.stringify(body) }];
    },
  };
}
