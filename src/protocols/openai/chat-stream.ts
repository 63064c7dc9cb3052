import type { ConvertContext, FinishReason, Usage } from '../../core/chat.ts';
import type { SseRecord, StreamDecoder, StreamEncoder, StreamEvent } from '../../core/stream-events.ts';
import { readReasoningText, syntheticCallId } from './chat-response.ts';
import { openAIStreamErrorRecord } from './errors.ts';
import { mapOpenAIFinishReasonFromCanonical, mapOpenAIFinishReasonToCanonical } from './finish-reason.ts';
import { readGeminiSignature } from './messages.ts';
import { decodeOpenAIUsage, encodeOpenAIUsage } from './usage.ts';
import { type OpenAIChatChunk, type OpenAIChunkDelta, type OpenAIFinishReason, type OpenAIToolCallDelta } from './wire.ts';
import { isFiniteNumber, isObject, isString, type JsonObject } from '../../core/json.ts';

/** State of one upstream tool call, keyed by the upstream's `index`. */
interface UpstreamCall {
  /** Canonical index, assigned when the call starts (id and name known). */
  index: number | undefined;
  id: string | undefined;
  name: string | undefined;
  signature: string | undefined;
  /** Argument fragments that arrived before the name did. */
  pending: string;
  open: boolean;
}

/**
 * Upstream OpenAI chat stream → canonical events, one SSE record at a time.
 * - `start` comes with the first chunk; `data: [DONE]` closes the stream (a server that never sent
 *   a finish_reason, as some do, gets one synthesised there).
 * - Reasoning deltas are read from `reasoning_content`, `reasoning` or `reasoning_details`, the
 *   first present, since servers that send two of them repeat the same text.
 * - Tool-call fragments are keyed by their `index`; a call starts once its name is known (earlier
 *   argument fragments are held until then), and every open call ends when finish_reason arrives.
 * - A chunk with usage (OpenAI sends it after the finish chunk with `choices: []`) yields a usage
 *   event; `{"error":{…}}` data and unparseable data yield an error event and end the stream.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
 */
export function createOpenAIStreamDecoder(ctx: ConvertContext): StreamDecoder<SseRecord> {
  let started = false;
  let finished = false;
  let closed = false;
  let callCount = 0;
  const calls = new Map<number, UpstreamCall>();

  const fail = (message: string, status = 502, errorType?: string): StreamEvent[] => {
    closed = true;
    return [errorType === undefined ? { type: 'error', status, message } : { type: 'error', status, message, errorType }];
  };

  const startEvent = (chunk: JsonObject): StreamEvent => {
    started = true;
    return {
      type: 'start',
      id: isString(chunk['id']) && chunk['id'] !== '' ? chunk['id'] : ctx.id,
      model: isString(chunk['model']) ? chunk['model'] : '',
      created: isFiniteNumber(chunk['created']) ? chunk['created'] : ctx.nowSeconds,
    };
  };

  const finish = (reason: unknown, out: StreamEvent[]): void => {
    const open = [...calls.values()].filter((c) => c.open).sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    for (const call of open) {
      call.open = false;
      if (call.index !== undefined) out.push({ type: 'tool-call-end', index: call.index });
    }
    finished = true;
    out.push({ type: 'finish', reason: mapOpenAIFinishReasonToCanonical(reason, callCount > 0) });
  };

  const toolFragment = (fragment: unknown, position: number, out: StreamEvent[]): void => {
    if (!isObject(fragment)) return;
    // Some servers omit `index`; the position in the array is the best remaining key.
    const key = isFiniteNumber(fragment['index']) ? fragment['index'] : position;
    const fn = isObject(fragment['function']) ? fragment['function'] : {};
    const id = isString(fragment['id']) && fragment['id'] !== '' ? fragment['id'] : undefined;
    const name = isString(fn['name']) && fn['name'] !== '' ? fn['name'] : undefined;
    const rawArgs = fn['arguments'];
    const args = isString(rawArgs) ? rawArgs : isObject(rawArgs) ? JSON.stringify(rawArgs) : '';

    let call = calls.get(key);
    // A fragment with a new id and a name under a key already in use is a new call (servers that
    // send every complete call at index 0).
    if (call?.index !== undefined && id !== undefined && name !== undefined && id !== call.id) {
      if (call.open) {
        call.open = false;
        out.push({ type: 'tool-call-end', index: call.index });
      }
      call = undefined;
    }
    if (call === undefined) {
      call = { index: undefined, id: undefined, name: undefined, signature: undefined, pending: '', open: true };
      calls.set(key, call);
    }
    if (call.index === undefined) {
      call.id ??= id;
      call.name ??= name;
      call.signature ??= readGeminiSignature(fragment);
      call.pending += args;
      if (call.name === undefined) return;
      call.index = callCount++;
      const start: Extract<StreamEvent, { type: 'tool-call-start' }> = {
        type: 'tool-call-start',
        index: call.index,
        id: call.id ?? syntheticCallId(ctx, call.index),
        name: call.name,
      };
      if (call.signature !== undefined) {
        start.signature = call.signature;
        start.family = 'gemini';
      }
      out.push(start);
      if (call.pending !== '') out.push({ type: 'tool-call-delta', index: call.index, argumentsDelta: call.pending });
      call.pending = '';
      return;
    }
    if (args !== '' && call.open) out.push({ type: 'tool-call-delta', index: call.index, argumentsDelta: args });
  };

  const delta = (d: JsonObject, out: StreamEvent[]): void => {
    const reasoning = readReasoningText(d);
    if (reasoning !== '') out.push({ type: 'reasoning-delta', text: reasoning });
    const signature = d['reasoning_signature'];
    if (isString(signature) && signature !== '') {
      out.push({ type: 'reasoning-signature', signature, family: 'anthropic' });
    }
    for (const key of ['content', 'refusal']) {
      const text = d[key];
      if (isString(text) && text !== '') out.push({ type: 'text-delta', text });
    }
    const toolCalls = d['tool_calls'];
    if (Array.isArray(toolCalls)) toolCalls.forEach((fragment: unknown, j) => toolFragment(fragment, j, out));
  };

  return {
    push(record) {
      if (closed) return [];
      const data = record.data.trim();
      if (data === '[DONE]') {
        closed = true;
        if (finished) return [];
        const out: StreamEvent[] = [];
        if (!started) out.push(startEvent({}));
        finish('stop', out);
        return out;
      }
      let chunk: unknown;
      try {
        chunk = JSON.parse(data);
      } catch {
        if (record.event === 'error') return fail(data === '' ? 'upstream stream error' : data.slice(0, 2000));
        return fail(`malformed upstream stream data: ${data.slice(0, 200)}`);
      }
      if (!isObject(chunk)) return fail(`malformed upstream stream data: ${data.slice(0, 200)}`);
      if (record.event === 'error' || chunk['error'] !== undefined) return upstreamError(chunk, fail);

      const out: StreamEvent[] = [];
      if (!started) out.push(startEvent(chunk));
      const choices = chunk['choices'];
      const choice: unknown = Array.isArray(choices)
        ? (choices.find((c: unknown) => isObject(c) && c['index'] === 0) ?? choices[0])
        : undefined;
      let reason: unknown = null;
      if (isObject(choice)) {
        const d = choice['delta'];
        if (isObject(d) && !finished) delta(d, out);
        reason = choice['finish_reason'];
      }
      const usage = decodeOpenAIUsage(chunk['usage']);
      if (usage !== undefined) out.push({ type: 'usage', usage });
      if (isString(reason) && reason !== '' && !finished) finish(reason, out);
      return out;
    },
    end() {
      if (closed || finished) {
        closed = true;
        return [];
      }
      return fail('stream ended before completion');
    },
  };
}

function upstreamError(chunk: JsonObject, fail: (m: string, s?: number, t?: string) => StreamEvent[]): StreamEvent[] {
  const error = chunk['error'];
  const body = isObject(error) ? error : chunk;
  const message = isString(body['message']) ? body['message'] : isString(error) ? error : 'upstream stream error';
  const type = isString(body['type']) ? body['type'] : isString(body['code']) ? body['code'] : undefined;
  const code = body['code'] ?? body['status'];
  let status = 502;
  if (isFiniteNumber(code) && code >= 400 && code <= 599) status = code;
  else if (type !== undefined && type.startsWith('rate_limit')) status = 429;
  return fail(message, status, type);
}

export interface OpenAIStreamEncoderOptions {
  /** The client asked for `stream_options.include_usage`: send the usage chunk before `[DONE]`. */
  includeUsage: boolean;
  /** Model name for the chunks until a `start` event reports the upstream's own. */
  model: string;
}

/**
 * Canonical events → OpenAI `chat.completion.chunk` records for an OpenAI client.
 * - All chunks share `id` and `created` from ctx; `model` is the upstream's (from `start`) when known.
 * - The first chunk carries `delta: {role: "assistant", content: ""}`; reasoning goes in
 *   `delta.reasoning_content` (and an Anthropic signature in the llmux `delta.reasoning_signature`).
 * - A tool call's first fragment carries index, id, type and name; later fragments only index and
 *   arguments; a call that got no arguments gets `"{}"` before it ends.
 * - Usage is held and sent as one `choices: []` chunk just before `[DONE]`, only if the client asked.
 * - An error becomes `data: {"error":{…}}` followed by `[DONE]`, and nothing is sent after it.
 */
export function createOpenAIStreamEncoder(ctx: ConvertContext, opts: OpenAIStreamEncoderOptions): StreamEncoder {
  let model = opts.model;
  let began = false;
  let done = false;
  let finished = false;
  let usage: Usage | undefined;
  let anyToolCalls = false;
  /** Canonical index → whether the call has received argument text. */
  const open = new Map<number, boolean>();

  const chunk = (d: OpenAIChunkDelta, finishReason: OpenAIFinishReason | null = null): SseRecord => {
    const body: OpenAIChatChunk = {
      id: ctx.id,
      object: 'chat.completion.chunk',
      created: ctx.nowSeconds,
      model,
      choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finishReason }],
    };
    if (opts.includeUsage) body.usage = null;
    return { data: JSON.stringify(body) };
  };

  const content = (d: OpenAIChunkDelta): SseRecord[] => {
    if (began) return [chunk(d)];
    began = true;
    return [chunk({ role: 'assistant', content: '' }), chunk(d)];
  };

  const closeCall = (index: number): SseRecord[] => {
    const gotArguments = open.get(index);
    if (gotArguments === undefined) return [];
    open.delete(index);
    return gotArguments ? [] : content({ tool_calls: [{ index, function: { arguments: '{}' } }] });
  };

  const finish = (reason: FinishReason): SseRecord[] => {
    const out = [...open.keys()].sort((a, b) => a - b).flatMap(closeCall);
    finished = true;
    if (!began) {
      began = true;
      out.push(chunk({ role: 'assistant', content: '' }));
    }
    out.push(chunk({}, mapOpenAIFinishReasonFromCanonical(reason, anyToolCalls)));
    return out;
  };

  return {
    push(event) {
      if (done) return [];
      switch (event.type) {
        case 'start':
          if (began) return [];
          if (event.model !== '') model = event.model;
          began = true;
          return [chunk({ role: 'assistant', content: '' })];
        case 'text-delta':
          return event.text === '' || finished ? [] : content({ content: event.text });
        case 'reasoning-delta':
          return event.text === '' || finished ? [] : content({ reasoning_content: event.text });
        case 'reasoning-signature':
          // Only an Anthropic signature can come back through reasoning_signature (see decoder).
          return event.family === 'anthropic' && !finished ? content({ reasoning_signature: event.signature }) : [];
        case 'redacted-reasoning':
          // Encrypted thinking has no text an OpenAI client could show or send back.
          return [];
        case 'tool-call-start': {
          if (finished || open.has(event.index)) return [];
          anyToolCalls = true;
          open.set(event.index, false);
          const fragment: OpenAIToolCallDelta = {
            index: event.index,
            id: event.id,
            type: 'function',
            function: { name: event.name, arguments: '' },
          };
          if (event.signature !== undefined && event.family === 'gemini') {
            fragment.extra_content = { google: { thought_signature: event.signature } };
          }
          return content({ tool_calls: [fragment] });
        }
        case 'tool-call-delta':
          if (event.argumentsDelta === '' || !open.has(event.index)) return [];
          open.set(event.index, true);
          return content({ tool_calls: [{ index: event.index, function: { arguments: event.argumentsDelta } }] });
        case 'tool-call-end':
          return closeCall(event.index);
        case 'usage':
          usage = event.usage;
          return [];
        case 'finish':
          return finished ? [] : finish(event.reason);
        case 'error':
          done = true;
          return [openAIStreamErrorRecord(event.status, event.message, event.errorType), { data: '[DONE]' }];
      }
    },
    end() {
      if (done) return [];
      done = true;
      const out: SseRecord[] = [];
      if (opts.includeUsage && usage !== undefined) {
        const body: OpenAIChatChunk = {
          id: ctx.id,
          object: 'chat.completion.chunk',
          created: ctx.nowSeconds,
          model,
          choices: [],
          usage: encodeOpenAIUsage(usage),
        };
        out.push({ data: JSON.stringify(body) });
      }
      out.push({ data: '[DONE]' });
      return out;
    },
  };
}
