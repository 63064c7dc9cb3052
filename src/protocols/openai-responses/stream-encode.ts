import type { ChatRequest, ConvertContext, FinishReason, Usage } from '../../core/chat.ts';
import type { SseRecord, StreamEncoder, StreamEvent } from '../../core/stream-events.ts';
import { failureCode } from './errors.ts';
import { callItem, customInput, itemId, reasoningItem, responseObject, statusFor } from './items.ts';
import { requestInfo } from './request-info.ts';
import { envelopeForCall } from './response.ts';
import { encodeResponsesUsage } from './usage.ts';
import type { MessageItem, OutputItem, ReasoningItem, ResponseObject } from './wire.ts';

interface OpenText {
  kind: 'message';
  index: number;
  item: MessageItem;
  text: string;
}

interface OpenReasoning {
  kind: 'reasoning';
  index: number;
  item: ReasoningItem;
  text: string;
  signature?: string;
  family?: 'anthropic' | 'gemini' | 'openai';
  redactedData?: string;
}

interface OpenCall {
  /** The canonical call index the upstream events use. */
  key: number;
  /** Position in the response's output. */
  index: number;
  id: string;
  callId: string;
  name: string;
  args: string;
  /** Argument deltas already sent; a call whose arguments came whole gets one delta at its end. */
  deltas: number;
  custom: boolean;
}

/**
 * Canonical stream → Responses events. The grammar every client relies on:
 * - every data object repeats its `type` and carries `sequence_number`, from 0, strictly increasing;
 * - `response.created` and `response.in_progress` first; each item's `output_item.added` before
 *   any of its deltas, and `output_item.done` with the complete item after them;
 * - a call's arguments get at least one delta, even when the upstream gave them whole;
 * - exactly one terminal event, `response.completed`, `response.incomplete` or `response.failed`,
 *   carrying the whole response, even when the upstream broke off (then `failed`).
 * On failure, text and reasoning items are closed as `incomplete`, but a call whose arguments
 * did not finish is never announced as done: Codex runs a tool the moment its item is done.
 * Freeform (custom) tools arrive as a one-string-argument shim, so their input is sent once whole.
 */
export function createResponsesStreamEncoder(ctx: ConvertContext, opts: { model: string; request?: ChatRequest }): StreamEncoder {
  const info = requestInfo(opts.request);
  let seq = 0;
  let started = false;
  let terminated = false;
  let model = opts.model;
  let created = ctx.nowSeconds;
  let usage: Usage | undefined;
  let finish: FinishReason | undefined;
  let n = 0;
  const output: Array<{ index: number; item: OutputItem }> = [];
  let open: OpenText | OpenReasoning | undefined;
  const calls = new Map<number, OpenCall>();

  const ev = (type: string, fields: Record<string, unknown>): SseRecord => ({ event: type, data: JSON.stringify({ type, sequence_number: seq++, ...fields }) });

  const snapshot = (status: ResponseObject['status'], extra: { error?: ResponseObject['error']; incomplete?: ResponseObject['incomplete_details'] } = {}): ResponseObject =>
    responseObject(
      {
        id: ctx.id,
        created,
        model,
        status,
        output: [...output].sort((a, b) => a.index - b.index).map((o) => o.item),
        usage: status === 'in_progress' ? null : encodeResponsesUsage(usage),
        ...extra,
      },
      info,
    );

  const start = (out: SseRecord[]): void => {
    if (started) return;
    started = true;
    const response = snapshot('in_progress');
    out.push(ev('response.created', { response }), ev('response.in_progress', { response }));
  };

  const closeOpen = (out: SseRecord[], status: 'completed' | 'incomplete'): void => {
    const o = open;
    if (o === undefined) return;
    open = undefined;
    if (o.kind === 'message') {
      const part = { type: 'output_text', text: o.text, annotations: [], logprobs: [] };
      out.push(ev('response.output_text.done', { item_id: o.item.id, output_index: o.index, content_index: 0, text: o.text, logprobs: [] }));
      out.push(ev('response.content_part.done', { item_id: o.item.id, output_index: o.index, content_index: 0, part }));
      const item: MessageItem = { ...o.item, status, content: [{ type: 'output_text', text: o.text, annotations: [], logprobs: [] }] };
      output.push({ index: o.index, item });
      out.push(ev('response.output_item.done', { output_index: o.index, item }));
      return;
    }
    if (o.text !== '') {
      out.push(ev('response.reasoning_summary_text.done', { item_id: o.item.id, output_index: o.index, summary_index: 0, text: o.text }));
      out.push(ev('response.reasoning_summary_part.done', { item_id: o.item.id, output_index: o.index, summary_index: 0, part: { type: 'summary_text', text: o.text } }));
    }
    const item = reasoningItem(
      {
        type: 'reasoning',
        text: o.text,
        ...(o.signature === undefined ? {} : { signature: o.signature }),
        ...(o.family === undefined ? {} : { family: o.family }),
        ...(o.redactedData === undefined ? {} : { redactedData: o.redactedData }),
      },
      info,
      o.item.id,
    );
    output.push({ index: o.index, item });
    out.push(ev('response.output_item.done', { output_index: o.index, item }));
  };

  const openReasoning = (out: SseRecord[], withSummary: boolean): OpenReasoning => {
    if (open?.kind === 'reasoning' && open.signature === undefined && open.redactedData === undefined) return open;
    closeOpen(out, 'completed');
    const o: OpenReasoning = { kind: 'reasoning', index: n++, item: { type: 'reasoning', id: itemId(ctx, 'rs', n - 1), summary: [] }, text: '' };
    open = o;
    out.push(ev('response.output_item.added', { output_index: o.index, item: o.item }));
    if (withSummary) out.push(ev('response.reasoning_summary_part.added', { item_id: o.item.id, output_index: o.index, summary_index: 0, part: { type: 'summary_text', text: '' } }));
    return o;
  };

  const finishCall = (out: SseRecord[], call: OpenCall): void => {
    calls.delete(call.key);
    const args = call.args === '' ? '{}' : call.args;
    const item = callItem(info, call.id, call.callId, call.name, args, 'completed');
    if (item.type === 'custom_tool_call') {
      const input = customInput(args);
      out.push(ev('response.custom_tool_call_input.delta', { item_id: call.id, output_index: call.index, delta: input }));
      out.push(ev('response.custom_tool_call_input.done', { item_id: call.id, output_index: call.index, input }));
    } else {
      if (call.deltas === 0) out.push(ev('response.function_call_arguments.delta', { item_id: call.id, output_index: call.index, delta: args }));
      out.push(ev('response.function_call_arguments.done', { item_id: call.id, output_index: call.index, name: item.name, arguments: args }));
    }
    output.push({ index: call.index, item });
    out.push(ev('response.output_item.done', { output_index: call.index, item }));
  };

  const terminate = (out: SseRecord[], failure?: { status: number; message: string }): void => {
    if (terminated) return;
    start(out);
    terminated = true;
    if (failure === undefined && finish === 'error') failure = { status: 502, message: 'the upstream reported an error' };
    if (failure !== undefined) {
      closeOpen(out, 'incomplete');
      const response = snapshot('failed', { error: { code: failureCode(failure.status), message: failure.message } });
      out.push(ev('response.failed', { response }));
      return;
    }
    closeOpen(out, 'completed');
    for (const call of [...calls.values()].sort((a, b) => a.index - b.index)) finishCall(out, call);
    const { status, incomplete } = statusFor(finish);
    const response = snapshot(status, { incomplete });
    out.push(ev(status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response }));
  };

  return {
    push(event: StreamEvent): SseRecord[] {
      if (terminated) return [];
      const out: SseRecord[] = [];
      if (event.type === 'start') {
        if (event.model !== '') model = event.model;
        created = event.created;
      }
      start(out);
      switch (event.type) {
        case 'start':
          break;
        case 'text-delta': {
          if (event.text === '') break;
          if (open?.kind !== 'message') {
            closeOpen(out, 'completed');
            const o: OpenText = { kind: 'message', index: n++, item: { type: 'message', id: itemId(ctx, 'msg', n - 1), status: 'in_progress', role: 'assistant', content: [] }, text: '' };
            open = o;
            out.push(ev('response.output_item.added', { output_index: o.index, item: o.item }));
            out.push(ev('response.content_part.added', { item_id: o.item.id, output_index: o.index, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } }));
          }
          open.text += event.text;
          out.push(ev('response.output_text.delta', { item_id: open.item.id, output_index: open.index, content_index: 0, delta: event.text, logprobs: [] }));
          break;
        }
        case 'reasoning-delta': {
          if (event.text === '') break;
          const o = openReasoning(out, true);
          o.text += event.text;
          out.push(ev('response.reasoning_summary_text.delta', { item_id: o.item.id, output_index: o.index, summary_index: 0, delta: event.text }));
          break;
        }
        case 'reasoning-signature': {
          // A signature the client cannot hand back is of no use to it, and an empty item is noise.
          const keep = event.family === 'openai' || info?.includeEncrypted === true;
          if (!keep && open?.kind !== 'reasoning') break;
          const o = open?.kind === 'reasoning' && open.signature === undefined ? open : openReasoning(out, false);
          o.signature = event.signature;
          o.family = event.family;
          if (event.itemId !== undefined) o.item.id = event.itemId;
          closeOpen(out, 'completed');
          break;
        }
        case 'redacted-reasoning': {
          if (info?.includeEncrypted !== true) break;
          closeOpen(out, 'completed');
          const o = openReasoning(out, false);
          o.redactedData = event.data;
          o.family = 'anthropic';
          closeOpen(out, 'completed');
          break;
        }
        case 'tool-call-start': {
          closeOpen(out, 'completed');
          if (event.signature !== undefined && event.family === 'gemini' && info?.includeEncrypted === true) {
            const index = n++;
            const item: ReasoningItem = { type: 'reasoning', id: itemId(ctx, 'rs', index), summary: [] };
            out.push(ev('response.output_item.added', { output_index: index, item }));
            const done: ReasoningItem = { ...item, encrypted_content: envelopeForCall({ id: event.id, signature: event.signature }) };
            output.push({ index, item: done });
            out.push(ev('response.output_item.done', { output_index: index, item: done }));
          }
          const index = n++;
          const custom = info?.custom.has(event.name) === true;
          const call: OpenCall = { key: event.index, index, id: itemId(ctx, custom ? 'ctc' : 'fc', index), callId: event.id, name: event.name, args: '', deltas: 0, custom };
          calls.set(event.index, call);
          out.push(ev('response.output_item.added', { output_index: index, item: callItem(info, call.id, call.callId, call.name, '', 'in_progress') }));
          break;
        }
        case 'tool-call-delta': {
          const call = calls.get(event.index);
          if (call === undefined || event.argumentsDelta === '') break;
          call.args += event.argumentsDelta;
          if (!call.custom) {
            call.deltas++;
            out.push(ev('response.function_call_arguments.delta', { item_id: call.id, output_index: call.index, delta: event.argumentsDelta }));
          }
          break;
        }
        case 'tool-call-end': {
          const call = calls.get(event.index);
          if (call !== undefined) finishCall(out, call);
          break;
        }
        case 'usage':
          usage = event.usage;
          break;
        case 'finish':
          finish = event.reason;
          break;
        case 'error':
          terminate(out, { status: event.status, message: event.message });
          break;
      }
      return out;
    },
    end(): SseRecord[] {
      const out: SseRecord[] = [];
      if (finish === undefined) terminate(out, { status: 502, message: 'the upstream stream ended before the answer was complete' });
      else terminate(out);
      return out;
    },
  };
}
