import type { ChatResponse, ConvertContext, ReasoningPart, TextPart, ToolCallPart } from '../core/chat.ts';
import { GatewayError } from '../core/errors.ts';
import type { SseRecord, StreamDecoder, StreamEvent } from '../core/stream-events.ts';
import { parseSseText } from '../upstream/sse.ts';

/**
 * Folds canonical stream events into one answer. Upstreams that only ever stream (CodeGeeX,
 * Qwen web) still owe a non-stream client a whole response; their codecs read the complete SSE
 * body with their own stream decoder and fold it here, so both paths share one reading.
 */
export function collectStreamEvents(events: readonly StreamEvent[], ctx: ConvertContext): ChatResponse {
  const res: ChatResponse = { id: ctx.id, model: '', created: ctx.nowSeconds, content: [], finishReason: 'stop' };
  const calls = new Map<number, ToolCallPart>();
  let finished = false;
  for (const ev of events) {
    switch (ev.type) {
      case 'start':
        res.id = ev.id;
        res.model = ev.model;
        res.created = ev.created;
        break;
      case 'text-delta': {
        const last = res.content.at(-1);
        if (last?.type === 'text') last.text += ev.text;
        else res.content.push({ type: 'text', text: ev.text } satisfies TextPart);
        break;
      }
      case 'reasoning-delta': {
        const last = res.content.at(-1);
        if (last?.type === 'reasoning' && last.signature === undefined) last.text += ev.text;
        else res.content.push({ type: 'reasoning', text: ev.text } satisfies ReasoningPart);
        break;
      }
      case 'reasoning-signature': {
        const last = res.content.at(-1);
        if (last?.type === 'reasoning' && last.signature === undefined) {
          last.signature = ev.signature;
          last.family = ev.family;
          if (ev.itemId !== undefined) last.itemId = ev.itemId;
        } else res.content.push({ type: 'reasoning', text: '', signature: ev.signature, family: ev.family, ...(ev.itemId === undefined ? {} : { itemId: ev.itemId }) });
        break;
      }
      case 'redacted-reasoning':
        res.content.push({ type: 'reasoning', text: '', redactedData: ev.data, family: 'anthropic' });
        break;
      case 'tool-call-start': {
        const call: ToolCallPart = { type: 'tool-call', id: ev.id, name: ev.name, arguments: '' };
        if (ev.signature !== undefined) call.signature = ev.signature;
        if (ev.family !== undefined) call.family = ev.family;
        calls.set(ev.index, call);
        res.content.push(call);
        break;
      }
      case 'tool-call-delta': {
        const call = calls.get(ev.index);
        if (call !== undefined) call.arguments += ev.argumentsDelta;
        break;
      }
      case 'tool-call-end':
        break;
      case 'usage':
        res.usage = ev.usage;
        break;
      case 'finish':
        finished = true;
        res.finishReason = ev.reason;
        if (ev.stopSequence !== undefined) res.stopSequence = ev.stopSequence;
        break;
      case 'error':
        throw new GatewayError(ev.status === 429 ? 'rate_limited' : 'upstream_error', ev.message, ev.errorType === undefined ? {} : { upstreamType: ev.errorType });
    }
  }
  for (const call of calls.values()) if (call.arguments === '') call.arguments = '{}';
  if (!finished) throw new GatewayError('upstream_error', 'the upstream answer ended before it was complete');
  return res;
}

/** A whole SSE body → one answer, through the protocol's own stream decoder. */
export function collectSseText(text: string, decoder: StreamDecoder<SseRecord>, ctx: ConvertContext): ChatResponse {
  const events: StreamEvent[] = [];
  for (const record of parseSseText(text)) events.push(...decoder.push(record));
  events.push(...decoder.end());
  return collectStreamEvents(events, ctx);
}
