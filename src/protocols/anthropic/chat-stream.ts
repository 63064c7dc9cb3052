/**
 * Anthropic Messages streams ⇄ canonical StreamEvents. The upstream decoder lives here; the
 * client-side encoder lives in chat-stream-encode.ts (re-exported below).
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
import type { ConvertContext } from '../../core/chat.ts';
import type { SseRecord, StreamDecoder, StreamEvent } from '../../core/stream-events.ts';
import { preview } from '../sse-json.ts';
import { statusForAnthropicErrorType } from './errors.ts';
import { mapAnthropicStopReasonToCanonical } from './finish-reason.ts';
import { combineAnthropicUsage, readAnthropicCounts, type AnthropicTokenCounts } from './usage.ts';
import { numberField, stringField } from './wire.ts';
import { isObject, type JsonObject } from '../../core/json.ts';

type BlockState =
  | { kind: 'text' | 'thinking' | 'other' }
  | { kind: 'tool'; toolIndex: number; sawArguments: boolean; initialInput: string | undefined };

/**
 * Reads an Anthropic upstream stream record by record. State is one entry per open content block
 * (keyed by Anthropic's block index) so text, thinking and each tool call stay apart; tool calls are
 * numbered 0, 1, 2… among the answer's tool calls, never by block index (LiteLLM #5231).
 * Usage: input and cache counts arrive in `message_start`, the cumulative output count in
 * `message_delta` (newer API versions repeat input there too, which then wins); each yields a
 * `usage` event with everything known so far, and the one from `message_delta` precedes `finish`.
 */
export function createAnthropicStreamDecoder(ctx: ConvertContext): StreamDecoder<SseRecord> {
  const blocks = new Map<number, BlockState>();
  const counts: AnthropicTokenCounts = { input: 0, output: 0 };
  let toolCount = 0;
  let started = false;
  let finished = false;
  let closed = false;

  const fail = (event: StreamEvent & { type: 'error' }): StreamEvent[] => {
    closed = true;
    return [event];
  };

  const readCounts = (usage: unknown): void => {
    readAnthropicCounts(usage, counts);
  };

  const closeTool = (state: BlockState, out: StreamEvent[]): void => {
    if (state.kind !== 'tool') return;
    // Some Anthropic-compatible servers send the whole input in content_block_start and no deltas.
    if (!state.sawArguments && state.initialInput !== undefined) {
      out.push({ type: 'tool-call-delta', index: state.toolIndex, argumentsDelta: state.initialInput });
    }
    out.push({ type: 'tool-call-end', index: state.toolIndex });
  };

  const blockStart = (event: JsonObject, out: StreamEvent[]): void => {
    const index = numberField(event, 'index');
    const block = event['content_block'];
    if (index === undefined || !isObject(block)) return;
    switch (block['type']) {
      case 'text': {
        blocks.set(index, { kind: 'text' });
        const text = stringField(block, 'text');
        if (text !== undefined && text !== '') out.push({ type: 'text-delta', text });
        return;
      }
      case 'thinking': {
        blocks.set(index, { kind: 'thinking' });
        const text = stringField(block, 'thinking');
        if (text !== undefined && text !== '') out.push({ type: 'reasoning-delta', text });
        const signature = stringField(block, 'signature');
        if (signature !== undefined && signature !== '') out.push({ type: 'reasoning-signature', signature, family: 'anthropic' });
        return;
      }
      case 'redacted_thinking':
        blocks.set(index, { kind: 'other' });
        out.push({ type: 'redacted-reasoning', data: stringField(block, 'data') ?? '' });
        return;
      case 'tool_use': {
        const toolIndex = toolCount++;
        const input = block['input'];
        const initialInput = isObject(input) && Object.keys(input).length > 0 ? JSON.stringify(input) : undefined;
        blocks.set(index, { kind: 'tool', toolIndex, sawArguments: false, initialInput });
        out.push({ type: 'tool-call-start', index: toolIndex, id: stringField(block, 'id') ?? '', name: stringField(block, 'name') ?? '' });
        return;
      }
      default:
        // Server-tool blocks and future block types carry nothing the canonical model holds.
        blocks.set(index, { kind: 'other' });
    }
  };

  const blockDelta = (event: JsonObject, out: StreamEvent[]): void => {
    const delta = event['delta'];
    if (!isObject(delta)) return;
    const index = numberField(event, 'index');
    const state = index === undefined ? undefined : blocks.get(index);
    switch (delta['type']) {
      case 'text_delta': {
        const text = stringField(delta, 'text');
        if (text !== undefined && text !== '') out.push({ type: 'text-delta', text });
        return;
      }
      case 'thinking_delta': {
        const text = stringField(delta, 'thinking');
        if (text !== undefined && text !== '') out.push({ type: 'reasoning-delta', text });
        return;
      }
      case 'signature_delta': {
        const signature = stringField(delta, 'signature');
        if (signature !== undefined && signature !== '') out.push({ type: 'reasoning-signature', signature, family: 'anthropic' });
        return;
      }
      case 'input_json_delta': {
        const fragment = stringField(delta, 'partial_json');
        // The first fragment is often "": skip empty ones (an empty delta is noise to every client).
        if (state?.kind !== 'tool' || fragment === undefined || fragment === '') return;
        state.sawArguments = true;
        out.push({ type: 'tool-call-delta', index: state.toolIndex, argumentsDelta: fragment });
        return;
      }
      default:
      // citations_delta and future delta types: nothing canonical to carry.
    }
  };

  const messageDelta = (event: JsonObject, out: StreamEvent[]): void => {
    const delta = event['delta'];
    const stopReason = isObject(delta) ? delta['stop_reason'] : undefined;
    if (typeof stopReason === 'string') {
      // A well-formed stream closed every block already; close stragglers so no call is left open.
      for (const state of blocks.values()) closeTool(state, out);
      blocks.clear();
    }
    readCounts(event['usage']);
    out.push({ type: 'usage', usage: combineAnthropicUsage(counts) });
    if (typeof stopReason !== 'string') return;
    finished = true;
    const finish: StreamEvent & { type: 'finish' } = { type: 'finish', reason: mapAnthropicStopReasonToCanonical(stopReason, toolCount > 0) };
    const stopSequence = isObject(delta) ? stringField(delta, 'stop_sequence') : undefined;
    if (stopSequence !== undefined) finish.stopSequence = stopSequence;
    out.push(finish);
  };

  return {
    push(record) {
      if (closed) return [];
      if (record.data === '[DONE]') return [];
      let event: unknown;
      try {
        event = JSON.parse(record.data);
      } catch {
        return fail({ type: 'error', status: 502, message: `malformed JSON in upstream Anthropic stream: ${preview(record.data)}` });
      }
      if (!isObject(event)) return fail({ type: 'error', status: 502, message: `unexpected upstream Anthropic stream data: ${preview(record.data)}` });
      const out: StreamEvent[] = [];
      switch (stringField(event, 'type') ?? record.event) {
        case 'message_start': {
          if (started) return [];
          started = true;
          const message = isObject(event['message']) ? event['message'] : {};
          out.push({ type: 'start', id: stringField(message, 'id') ?? ctx.id, model: stringField(message, 'model') ?? '', created: ctx.nowSeconds });
          if (isObject(message['usage'])) {
            readCounts(message['usage']);
            out.push({ type: 'usage', usage: combineAnthropicUsage(counts) });
          }
          return out;
        }
        case 'content_block_start':
          blockStart(event, out);
          return out;
        case 'content_block_delta':
          blockDelta(event, out);
          return out;
        case 'content_block_stop': {
          const index = numberField(event, 'index');
          const state = index === undefined ? undefined : blocks.get(index);
          if (index !== undefined && state !== undefined) {
            blocks.delete(index);
            closeTool(state, out);
          }
          return out;
        }
        case 'message_delta':
          messageDelta(event, out);
          return out;
        case 'message_stop':
          if (finished) return [];
          // No message_delta carried a stop_reason: the answer still ended as far as Anthropic is concerned.
          finished = true;
          for (const state of blocks.values()) closeTool(state, out);
          blocks.clear();
          out.push({ type: 'finish', reason: toolCount > 0 ? 'tool-calls' : 'other' });
          return out;
        case 'error': {
          const error = isObject(event['error']) ? event['error'] : {};
          const errorType = stringField(error, 'type');
          const message = stringField(error, 'message') ?? 'upstream stream error';
          return fail(errorType === undefined ? { type: 'error', status: 500, message } : { type: 'error', status: statusForAnthropicErrorType(errorType), message, errorType });
        }
        default:
          // ping, and event types added after this was written.
          return [];
      }
    },
    end() {
      if (closed) return [];
      closed = true;
      return finished ? [] : [{ type: 'error', status: 502, message: 'stream ended before completion' }];
    },
  };
}

/** Whether a record is the proper end of an Anthropic stream (used for same-protocol pass-through). */
export function isAnthropicStreamComplete(record: SseRecord): boolean {
  if (record.event === 'message_stop') return true;
  if (!record.data.includes('message_stop')) return false;
  try {
    const event: unknown = JSON.parse(record.data);
    return isObject(event) && event['type'] === 'message_stop';
  } catch {
    return false;
  }
}

export { createAnthropicStreamEncoder, encodeAnthropicPing, type AnthropicStreamEncoderOptions } from './chat-stream-encode.ts';
