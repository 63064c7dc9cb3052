/**
 * Canonical StreamEvents → an Anthropic Messages stream, for an Anthropic client.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
import type { ChatRequest, ConvertContext, FinishReason, Usage } from '../../core/chat.ts';
import type { SseRecord, StreamEncoder } from '../../core/stream-events.ts';
import { estimateChatRequestTokens } from '../estimate-tokens.ts';
import { ANTHROPIC_ERROR_STATUS, anthropicErrorTypeForStatus } from './errors.ts';
import { mapAnthropicStopReasonFromCanonical } from './finish-reason.ts';
import { encodeAnthropicUsage } from './usage.ts';
import type { AnthropicStreamEvent } from './wire.ts';

export interface AnthropicStreamEncoderOptions {
  /** The model name the client sees; when absent, the upstream's from the `start` event. */
  model?: string;
  /** Ignored: an Anthropic stream always carries usage. Accepted so every encoder takes the same options. */
  includeUsage?: boolean;
  /** The client's request, whose prompt size is estimated for `message_start` when the upstream has not counted yet. */
  request?: ChatRequest | undefined;
}

interface ToolState {
  id: string;
  name: string;
  /** Fragments that arrived while the call waited for its block. */
  fragments: string[];
  ended: boolean;
  status: 'queued' | 'open' | 'closed';
  blockIndex: number;
}

type OpenBlock =
  | { kind: 'text'; index: number }
  | { kind: 'thinking'; index: number }
  | { kind: 'tool'; index: number; toolIndex: number; sawArguments: boolean };

function record(event: AnthropicStreamEvent): SseRecord {
  return { event: event.type, data: JSON.stringify(event) };
}

/** A `ping` record, for the pipeline's keep-alive timer on long silent stretches (thinking). */
export function encodeAnthropicPing(): SseRecord {
  return record({ type: 'ping' });
}

/**
 * Writes canonical events as an Anthropic stream: `message_start`, then one content block at a
 * time (start, deltas, stop) with indexes assigned in order, then `message_delta` + `message_stop`.
 *
 * - `message_start` waits for the first usage or content event, never longer: clients such as
 *   LangChain's ChatAnthropic read the input count from it alone. An upstream that counts the
 *   prompt before answering (Anthropic's message_start, Gemini's first chunk) gives the real
 *   `input_tokens`; otherwise (OpenAI counts only at the end) it holds a local estimate of
 *   `request`, and `message_delta` carries every real count.
 * - `message_delta`/`message_stop` are written by `end()`, not at `finish`, because an OpenAI
 *   upstream sends its usage chunk after the finish chunk.
 * - Anthropic blocks are sequential but upstream tool calls may interleave (OpenAI parallel calls).
 *   One tool block is open at a time; a call that starts while another is open waits, with its
 *   fragments buffered, until that one ends (or until the answer finishes), then is written whole.
 *   A fragment for a call whose block was already closed (forced by text arriving in between) is
 *   written with that block's index as a best effort: SDK clients accumulate by index.
 * - A call without argument fragments gets one `input_json_delta` of `{}`, so clients that parse
 *   the accumulated input never parse "".
 * - Reasoning without an Anthropic signature is closed with `signature_delta ""` (see
 *   encodeAnthropicChatResponse for why an unsigned thinking block is still shown); a foreign
 *   family's signature is never passed off as Anthropic's.
 */
export function createAnthropicStreamEncoder(ctx: ConvertContext, opts: AnthropicStreamEncoderOptions = {}): StreamEncoder {
  let id = ctx.id;
  let model = opts.model ?? '';
  let messageStarted = false;
  let nextBlock = 0;
  let open: OpenBlock | undefined;
  let thinkingSigned = false;
  const tools = new Map<number, ToolState>();
  const queue: number[] = [];
  let usage: Usage | undefined;
  let finish: { reason: FinishReason; stopSequence?: string | undefined } | undefined;
  let done = false;

  const ensureStarted = (out: SseRecord[]): void => {
    if (messageStarted) return;
    messageStarted = true;
    const estimate = usage === undefined && opts.request !== undefined ? estimateChatRequestTokens(opts.request) : undefined;
    const startUsage = estimate === undefined ? usage : { promptTokens: estimate, completionTokens: 0 };
    out.push(
      record({
        type: 'message_start',
        message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: encodeAnthropicUsage(startUsage) },
      }),
    );
  };

  const closeOpen = (out: SseRecord[]): void => {
    if (open === undefined) return;
    if (open.kind === 'thinking' && !thinkingSigned) {
      out.push(record({ type: 'content_block_delta', index: open.index, delta: { type: 'signature_delta', signature: '' } }));
    }
    if (open.kind === 'tool') {
      if (!open.sawArguments) out.push(record({ type: 'content_block_delta', index: open.index, delta: { type: 'input_json_delta', partial_json: '{}' } }));
      const state = tools.get(open.toolIndex);
      if (state !== undefined) state.status = 'closed';
    }
    out.push(record({ type: 'content_block_stop', index: open.index }));
    open = undefined;
  };

  const openTool = (out: SseRecord[], toolIndex: number): void => {
    const state = tools.get(toolIndex);
    if (state === undefined) return;
    const index = nextBlock++;
    state.status = 'open';
    state.blockIndex = index;
    out.push(record({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: state.id, name: state.name, input: {} } }));
    open = { kind: 'tool', index, toolIndex, sawArguments: false };
    for (const fragment of state.fragments) {
      out.push(record({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: fragment } }));
      open.sawArguments = true;
    }
    state.fragments = [];
    if (state.ended) closeOpen(out);
  };

  /** Opens queued calls in order while the previous one has already ended. */
  const drainQueue = (out: SseRecord[]): void => {
    while (open === undefined && queue.length > 0) {
      const next = queue.shift();
      if (next !== undefined) openTool(out, next);
    }
  };

  /** Closes the open block and writes every waiting call whole: something else comes next. */
  const flushAll = (out: SseRecord[]): void => {
    closeOpen(out);
    while (queue.length > 0) {
      const next = queue.shift();
      if (next === undefined) continue;
      openTool(out, next);
      closeOpen(out);
    }
  };

  const openContent = (out: SseRecord[], kind: 'text' | 'thinking'): number => {
    if (open?.kind === kind) return open.index;
    flushAll(out);
    const index = nextBlock++;
    if (kind === 'text') out.push(record({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
    else out.push(record({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
    thinkingSigned = false;
    open = { kind, index };
    return index;
  };

  const errorRecord = (status: number, message: string, errorType: string | undefined): SseRecord => {
    const type = errorType !== undefined && Object.hasOwn(ANTHROPIC_ERROR_STATUS, errorType) ? errorType : anthropicErrorTypeForStatus(status);
    return record({ type: 'error', error: { type, message } });
  };

  return {
    push(event) {
      if (done) return [];
      const out: SseRecord[] = [];
      switch (event.type) {
        case 'start':
          if (!messageStarted) {
            id = event.id;
            if (opts.model === undefined) model = event.model;
          }
          return out;
        case 'usage':
          usage = event.usage;
          ensureStarted(out);
          return out;
        case 'text-delta': {
          if (event.text === '') return out;
          ensureStarted(out);
          const index = openContent(out, 'text');
          out.push(record({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: event.text } }));
          return out;
        }
        case 'reasoning-delta': {
          if (event.text === '') return out;
          ensureStarted(out);
          const index = openContent(out, 'thinking');
          out.push(record({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: event.text } }));
          return out;
        }
        case 'reasoning-signature': {
          if (event.family !== 'anthropic') return out;
          ensureStarted(out);
          const index = openContent(out, 'thinking');
          out.push(record({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: event.signature } }));
          thinkingSigned = true;
          closeOpen(out);
          return out;
        }
        case 'redacted-reasoning': {
          ensureStarted(out);
          flushAll(out);
          const index = nextBlock++;
          out.push(record({ type: 'content_block_start', index, content_block: { type: 'redacted_thinking', data: event.data } }));
          out.push(record({ type: 'content_block_stop', index }));
          return out;
        }
        case 'tool-call-start': {
          if (tools.has(event.index)) return out;
          ensureStarted(out);
          tools.set(event.index, { id: event.id, name: event.name, fragments: [], ended: false, status: 'queued', blockIndex: -1 });
          if (open?.kind === 'tool') {
            queue.push(event.index);
          } else {
            closeOpen(out);
            openTool(out, event.index);
          }
          return out;
        }
        case 'tool-call-delta': {
          const state = tools.get(event.index);
          if (state === undefined || event.argumentsDelta === '') return out;
          if (state.status === 'queued') {
            state.fragments.push(event.argumentsDelta);
          } else {
            const index = state.blockIndex;
            out.push(record({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: event.argumentsDelta } }));
            if (open?.kind === 'tool' && open.toolIndex === event.index) open.sawArguments = true;
          }
          return out;
        }
        case 'tool-call-end': {
          const state = tools.get(event.index);
          if (state === undefined || state.ended) return out;
          state.ended = true;
          if (open?.kind === 'tool' && open.toolIndex === event.index) {
            closeOpen(out);
            drainQueue(out);
          }
          return out;
        }
        case 'finish':
          ensureStarted(out);
          flushAll(out);
          finish = event.stopSequence === undefined ? { reason: event.reason } : { reason: event.reason, stopSequence: event.stopSequence };
          return out;
        case 'error':
          done = true;
          out.push(errorRecord(event.status, event.message, event.errorType));
          return out;
      }
    },
    end() {
      if (done) return [];
      done = true;
      const out: SseRecord[] = [];
      if (finish === undefined) {
        out.push(errorRecord(502, 'stream ended before completion', undefined));
        return out;
      }
      ensureStarted(out);
      flushAll(out);
      const stopReason = mapAnthropicStopReasonFromCanonical(finish.reason, { hasToolCalls: tools.size > 0, stopSequence: finish.stopSequence });
      out.push(
        record({
          type: 'message_delta',
          delta: { stop_reason: stopReason, stop_sequence: stopReason === 'stop_sequence' ? (finish.stopSequence ?? null) : null },
          // Without any usage event, only output_tokens is sent so a client keeps message_start's input count.
          usage: usage === undefined ? { output_tokens: 0 } : encodeAnthropicUsage(usage),
        }),
      );
      out.push(record({ type: 'message_stop' }));
      return out;
    },
  };
}
