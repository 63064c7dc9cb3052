import Anthropic from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ChatRequest, ConvertContext } from '../../core/chat.ts';
import type { SseRecord, StreamEvent } from '../../core/stream-events.ts';
import { createSseParser, parseSseText, serializeSse } from '../../upstream/sse.ts';
import { createAnthropicStreamDecoder, createAnthropicStreamEncoder, encodeAnthropicPing, isAnthropicStreamComplete } from './chat-stream.ts';
import { createGeminiStreamDecoder } from '../gemini/chat-stream.ts';

const ctx: ConvertContext = { id: 'msg_ctx', nowSeconds: 1_700_000_000 };
const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/anthropic/${name}`, import.meta.url), 'utf8');

function decodeChunks(chunks: string[]): StreamEvent[] {
  const decoder = createAnthropicStreamDecoder(ctx);
  const events: StreamEvent[] = [];
  const parser = createSseParser((record) => events.push(...decoder.push(record)));
  for (const chunk of chunks) parser.feed(chunk);
  parser.end();
  events.push(...decoder.end());
  return events;
}

const SIGNATURE =
  'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds1A3x9qkXgaJDOYhzOMPoVaGyZCnxMHvcVRqFmW1qNK9gBMz8w3vVuRa4mNYgdSP9bNEKmPDhWSY1hKLoLrL8KIn1MaBcbGjuZ5sQkWKsuQWH0eNPNiGCFkxA4xKNi+jgeyD2XqL3vXo2BZQhsrKlCCMEtZJ4Rg==';

const start = (id: string, model = 'claude-sonnet-4-5-20250929'): StreamEvent => ({ type: 'start', id, model, created: ctx.nowSeconds });
const usage = (promptTokens: number, completionTokens: number, extra: { cachedTokens?: number; cacheCreationTokens?: number } = { cachedTokens: 0, cacheCreationTokens: 0 }): StreamEvent => ({
  type: 'usage',
  usage: { promptTokens, completionTokens, ...extra },
});

const fixtureCases: Array<{ file: string; events: StreamEvent[] }> = [
  {
    file: 'text-basic.sse',
    events: [
      start('msg_01XFDUDYJgAACzvnptvVoYEL'),
      usage(25, 1),
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: '! How can I help you today? ✨' },
      usage(25, 15),
      { type: 'finish', reason: 'stop' },
    ],
  },
  {
    file: 'tool-parallel.sse',
    events: [
      start('msg_014p7gG3wDgGV9EUtLvnow3U'),
      usage(472, 2),
      { type: 'text-delta', text: "I'll check the weather in both cities." },
      { type: 'tool-call-start', index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"location": "San' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: ' Francisco, CA"' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: ', "unit": "fahrenheit"}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-start', index: 1, id: 'toolu_01HnKvS6dB4Xb8sZ7u3QmR2c', name: 'get_weather' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"location": ' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '"Tokyo, 東京", "unit": "cel' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: 'sius"}' },
      { type: 'tool-call-end', index: 1 },
      usage(472, 89),
      { type: 'finish', reason: 'tool-calls' },
    ],
  },
  {
    file: 'reasoning-then-text.sse',
    events: [
      start('msg_01Pr8tZ6bq2eKc5LqA3wZ7uY'),
      usage(48, 3),
      { type: 'reasoning-delta', text: 'I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\n\n1071 = 2 × 462 + 147' },
      { type: 'reasoning-delta', text: '\n462 = 3 × 147 + 21\n147 = 7 × 21 + 0\n\nSo the GCD is 21.' },
      { type: 'reasoning-signature', signature: SIGNATURE, family: 'anthropic' },
      { type: 'text-delta', text: 'The greatest common divisor of 1071 and 462 is **21**.' },
      usage(48, 112),
      { type: 'finish', reason: 'stop' },
    ],
  },
  {
    file: 'max-tokens.sse',
    events: [
      start('msg_01J2vBQXhR8c4Yq9tWmKf3Ln', 'claude-haiku-4-5-20251001'),
      usage(14, 1),
      { type: 'text-delta', text: 'Once upon a time, in' },
      { type: 'text-delta', text: ' a quiet' },
      usage(14, 8),
      { type: 'finish', reason: 'length' },
    ],
  },
  {
    file: 'error-mid-stream.sse',
    events: [
      start('msg_01Ew4gS3vT6yYpQz2uNcH8Rk'),
      usage(31, 1),
      { type: 'text-delta', text: 'Let me think about' },
      { type: 'error', status: 529, message: 'Overloaded', errorType: 'overloaded_error' },
    ],
  },
  {
    file: 'usage-final-chunk.sse',
    events: [
      start('msg_01CacheHitQ7mZs2Lk9vB4nTx'),
      usage(2060, 1, { cachedTokens: 1800, cacheCreationTokens: 248 }),
      { type: 'text-delta', text: "The contract's termination clause" },
      { type: 'text-delta', text: " requires 30 days' notice." },
      usage(2060, 42, { cachedTokens: 1800, cacheCreationTokens: 248 }),
      { type: 'finish', reason: 'stop', stopSequence: '\n\nHuman:' },
    ],
  },
  {
    file: 'malformed-json-line.sse',
    events: [
      start('msg_01MalformedX3qP8sV2nR6tYw'),
      usage(9, 1),
      { type: 'text-delta', text: 'Hi' },
      {
        type: 'error',
        status: 502,
        message: 'malformed JSON in upstream Anthropic stream: {"type":"content_block_delta","index":0,"delta":{"type":"text_del',
      },
    ],
  },
  {
    file: 'redacted-thinking-tool.sse',
    events: [
      start('msg_01RdTh1nk7cW2zX9vB3mQ5Lp'),
      usage(610, 4),
      { type: 'redacted-reasoning', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB8URj2pLmJ8MaE=' },
      { type: 'reasoning-delta', text: 'The user wants the current time; no arguments are needed.' },
      {
        type: 'reasoning-signature',
        signature: 'ErUBCkYIBRgCIkDq2vZ0c3lqWm0RkQ0pQx3ZtNf6dF5mB2kJ8vYwL9nH1sT4rE7uA0cX6yG3pK5oM2iD8bV1qN9wJ0hS4fR7eE==',
        family: 'anthropic',
      },
      { type: 'tool-call-start', index: 0, id: 'toolu_01NoArgsC4kT8mW2qZ6vR9xB', name: 'get_time' },
      { type: 'tool-call-end', index: 0 },
      usage(610, 71),
      { type: 'finish', reason: 'tool-calls' },
    ],
  },
];

describe('createAnthropicStreamDecoder', () => {
  for (const c of fixtureCases) {
    test(`decodes ${c.file} into the exact event sequence`, () => {
      assert.deepEqual(decodeChunks([fixture(c.file)]), c.events);
    });

    test(`decodes ${c.file} identically when split at every byte offset`, () => {
      const bytes = Buffer.from(fixture(c.file), 'utf8');
      for (let i = 1; i < bytes.length; i++) {
        // Splitting a Buffer mid-character and decoding each half alone would corrupt UTF-8, as a real
        // transport decoder (TextDecoder with stream:true) never does; split on the string instead.
        const text = bytes.toString('utf8');
        const at = Buffer.from(text).subarray(0, i).toString('utf8').replace(/\uFFFD$/, '').length;
        assert.deepEqual(decodeChunks([text.slice(0, at), text.slice(at)]), c.events, `split at byte ${i}`);
      }
    });
  }

  const cases: Array<{ name: string; records: SseRecord[]; events: StreamEvent[] }> = [
    {
      name: 'reports a stream that ends without a stop as an error',
      records: [{ event: 'message_start', data: '{"type":"message_start","message":{"id":"msg_x","model":"m","usage":{"input_tokens":3,"output_tokens":1}}}' }],
      events: [start('msg_x', 'm'), usage(3, 1, {}), { type: 'error', status: 502, message: 'stream ended before completion' }],
    },
    {
      name: 'ignores unknown event types and [DONE]',
      records: [
        { event: 'message_start', data: '{"type":"message_start","message":{"id":"msg_x","model":"m"}}' },
        { event: 'brand_new_event', data: '{"type":"brand_new_event","x":1}' },
        { data: '[DONE]' },
        { event: 'message_delta', data: '{"type":"message_delta","delta":{"stop_reason":"refusal","stop_sequence":null},"usage":{"output_tokens":2}}' },
      ],
      events: [start('msg_x', 'm'), usage(0, 2, {}), { type: 'finish', reason: 'content-filter' }],
    },
    {
      name: 'uses the tool input sent whole in content_block_start when no deltas follow',
      records: [
        { data: '{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{"a":1}}}' },
        { data: '{"type":"content_block_stop","index":0}' },
        { data: '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":5}}' },
      ],
      events: [
        { type: 'tool-call-start', index: 0, id: 'toolu_1', name: 'f' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":1}' },
        { type: 'tool-call-end', index: 0 },
        usage(0, 5, {}),
        { type: 'finish', reason: 'tool-calls' },
      ],
    },
    {
      name: 'closes a tool call still open when message_delta arrives',
      records: [
        { data: '{"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}}' },
        { data: '{"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{}"}}' },
        { data: '{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":5}}' },
        { data: '{"type":"message_stop"}' },
      ],
      events: [
        { type: 'tool-call-start', index: 0, id: 'toolu_1', name: 'f' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' },
        { type: 'tool-call-end', index: 0 },
        usage(0, 5, {}),
        { type: 'finish', reason: 'tool-calls' },
      ],
    },
    {
      name: 'maps pause_turn to other',
      records: [{ data: '{"type":"message_delta","delta":{"stop_reason":"pause_turn"},"usage":{"output_tokens":1}}' }],
      events: [usage(0, 1, {}), { type: 'finish', reason: 'other' }],
    },
    {
      name: 'emits nothing after an error event',
      records: [
        { event: 'error', data: '{"type":"error","error":{"type":"api_error","message":"Internal server error"}}' },
        { data: '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1}}' },
      ],
      events: [{ type: 'error', status: 500, message: 'Internal server error', errorType: 'api_error' }],
    },
    {
      name: 'takes the event name from the SSE event line when the data lacks a type',
      records: [{ event: 'message_delta', data: '{"delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":1}}' }],
      events: [usage(0, 1, {}), { type: 'finish', reason: 'length' }],
    },
    {
      name: 'reads thinking tokens from output_tokens_details',
      records: [{ data: '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9,"output_tokens_details":{"thinking_tokens":7}}}' }],
      events: [{ type: 'usage', usage: { promptTokens: 0, completionTokens: 9, reasoningTokens: 7 } }, { type: 'finish', reason: 'stop' }],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const decoder = createAnthropicStreamDecoder(ctx);
      const events = c.records.flatMap((r) => decoder.push(r)).concat(decoder.end());
      assert.deepEqual(events, c.events);
    });
  }

  test('end() after a finished stream yields nothing and is idempotent', () => {
    const decoder = createAnthropicStreamDecoder(ctx);
    decoder.push({ data: '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1}}' });
    assert.deepEqual(decoder.end(), []);
    assert.deepEqual(decoder.end(), []);
  });
});

describe('isAnthropicStreamComplete', () => {
  test('recognises message_stop by event name or data type', () => {
    assert.equal(isAnthropicStreamComplete({ event: 'message_stop', data: '{"type":"message_stop"}' }), true);
    assert.equal(isAnthropicStreamComplete({ data: '{"type":"message_stop"}' }), true);
    assert.equal(isAnthropicStreamComplete({ event: 'message_delta', data: '{"type":"message_delta"}' }), false);
  });
});

// ---------------------------------------------------------------------------------------------

function encodeAll(events: StreamEvent[], opts: { model?: string } = { model: 'claude-alias' }): SseRecord[] {
  const encoder = createAnthropicStreamEncoder(ctx, opts);
  return events.flatMap((e) => encoder.push(e)).concat(encoder.end());
}

/** Records as [event, parsed data] pairs, which read better in expectations than JSON strings. */
function shape(records: SseRecord[]): Array<[string | undefined, unknown]> {
  for (const r of records) assert.equal(r.event, (JSON.parse(r.data) as { type: string }).type, 'event line matches data.type');
  return records.map((r) => [r.event, JSON.parse(r.data)]);
}

const messageStart = (usage = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }, id = 'msg_up'): [string, unknown] => [
  'message_start',
  {
    type: 'message_start',
    message: { id, type: 'message', role: 'assistant', model: 'claude-alias', content: [], stop_reason: null, stop_sequence: null, usage },
  },
];
const blockStart = (index: number, content_block: unknown): [string, unknown] => ['content_block_start', { type: 'content_block_start', index, content_block }];
const delta = (index: number, d: unknown): [string, unknown] => ['content_block_delta', { type: 'content_block_delta', index, delta: d }];
const blockStop = (index: number): [string, unknown] => ['content_block_stop', { type: 'content_block_stop', index }];
const messageDelta = (stop_reason: string, usage: unknown, stop_sequence: string | null = null): [string, unknown] => [
  'message_delta',
  { type: 'message_delta', delta: { stop_reason, stop_sequence }, usage },
];
const messageStop: [string, unknown] = ['message_stop', { type: 'message_stop' }];
const json = (partial_json: string): unknown => ({ type: 'input_json_delta', partial_json });

describe('createAnthropicStreamEncoder', () => {
  const upStart: StreamEvent = { type: 'start', id: 'msg_up', model: 'gpt-4o', created: 1 };

  const cases: Array<{ name: string; events: StreamEvent[]; expected: Array<[string | undefined, unknown]> }> = [
    {
      name: 'writes text with input usage in message_start when usage came before the content',
      events: [
        upStart,
        { type: 'usage', usage: { promptTokens: 2060, completionTokens: 1, cachedTokens: 1800, cacheCreationTokens: 248 } },
        { type: 'text-delta', text: 'Hi' },
        { type: 'text-delta', text: '' },
        { type: 'text-delta', text: '!' },
        { type: 'usage', usage: { promptTokens: 2060, completionTokens: 5, cachedTokens: 1800, cacheCreationTokens: 248 } },
        { type: 'finish', reason: 'stop' },
      ],
      expected: [
        messageStart({ input_tokens: 12, output_tokens: 1, cache_creation_input_tokens: 248, cache_read_input_tokens: 1800 }),
        blockStart(0, { type: 'text', text: '' }),
        delta(0, { type: 'text_delta', text: 'Hi' }),
        delta(0, { type: 'text_delta', text: '!' }),
        blockStop(0),
        messageDelta('end_turn', { input_tokens: 12, output_tokens: 5, cache_creation_input_tokens: 248, cache_read_input_tokens: 1800 }),
        messageStop,
      ],
    },
    {
      name: 'takes usage that arrives after finish (OpenAI usage chunk) into message_delta',
      events: [upStart, { type: 'text-delta', text: 'x' }, { type: 'finish', reason: 'length' }, { type: 'usage', usage: { promptTokens: 10, completionTokens: 3, cachedTokens: 4 } }],
      expected: [
        messageStart(),
        blockStart(0, { type: 'text', text: '' }),
        delta(0, { type: 'text_delta', text: 'x' }),
        blockStop(0),
        messageDelta('max_tokens', { input_tokens: 6, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 4 }),
        messageStop,
      ],
    },
    {
      name: 'sends only output_tokens in message_delta when no usage was ever known',
      events: [upStart, { type: 'finish', reason: 'stop', stopSequence: 'END' }],
      expected: [messageStart(), messageDelta('stop_sequence', { output_tokens: 0 }, 'END'), messageStop],
    },
    {
      name: 'writes signed reasoning as a thinking block closed by its signature, then text',
      events: [
        upStart,
        { type: 'reasoning-delta', text: 'Let me think.' },
        { type: 'reasoning-signature', signature: 'sig-1', family: 'anthropic' },
        { type: 'text-delta', text: 'Answer.' },
        { type: 'finish', reason: 'stop' },
      ],
      expected: [
        messageStart(),
        blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
        delta(0, { type: 'thinking_delta', thinking: 'Let me think.' }),
        delta(0, { type: 'signature_delta', signature: 'sig-1' }),
        blockStop(0),
        blockStart(1, { type: 'text', text: '' }),
        delta(1, { type: 'text_delta', text: 'Answer.' }),
        blockStop(1),
        messageDelta('end_turn', { output_tokens: 0 }),
        messageStop,
      ],
    },
    {
      name: 'closes unsigned or foreign-signed reasoning with an empty signature, never a forged one',
      events: [
        upStart,
        { type: 'reasoning-delta', text: 'Hmm.' },
        { type: 'reasoning-signature', signature: 'gemini-thought-sig', family: 'gemini' },
        { type: 'text-delta', text: 'Yes.' },
        { type: 'finish', reason: 'stop' },
      ],
      expected: [
        messageStart(),
        blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
        delta(0, { type: 'thinking_delta', thinking: 'Hmm.' }),
        delta(0, { type: 'signature_delta', signature: '' }),
        blockStop(0),
        blockStart(1, { type: 'text', text: '' }),
        delta(1, { type: 'text_delta', text: 'Yes.' }),
        blockStop(1),
        messageDelta('end_turn', { output_tokens: 0 }),
        messageStop,
      ],
    },
    {
      name: 'writes redacted reasoning as a redacted_thinking block',
      events: [upStart, { type: 'redacted-reasoning', data: 'opaque' }, { type: 'finish', reason: 'stop' }],
      expected: [
        messageStart(),
        blockStart(0, { type: 'redacted_thinking', data: 'opaque' }),
        blockStop(0),
        messageDelta('end_turn', { output_tokens: 0 }),
        messageStop,
      ],
    },
    {
      name: 'gives each sequential tool call its own block and a call without arguments "{}"',
      events: [
        upStart,
        { type: 'text-delta', text: 'Checking.' },
        { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '"Paris"}' },
        { type: 'tool-call-end', index: 0 },
        { type: 'tool-call-start', index: 1, id: 'call_b', name: 'get_time' },
        { type: 'tool-call-end', index: 1 },
        { type: 'finish', reason: 'stop' },
      ],
      expected: [
        messageStart(),
        blockStart(0, { type: 'text', text: '' }),
        delta(0, { type: 'text_delta', text: 'Checking.' }),
        blockStop(0),
        blockStart(1, { type: 'tool_use', id: 'call_a', name: 'get_weather', input: {} }),
        delta(1, json('{"city":')),
        delta(1, json('"Paris"}')),
        blockStop(1),
        blockStart(2, { type: 'tool_use', id: 'call_b', name: 'get_time', input: {} }),
        delta(2, json('{}')),
        blockStop(2),
        messageDelta('tool_use', { output_tokens: 0 }),
        messageStop,
      ],
    },
    {
      name: 'never merges interleaved parallel calls: a later call waits with its fragments until the open one ends',
      events: [
        upStart,
        { type: 'tool-call-start', index: 0, id: 'call_a', name: 'f' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a"' },
        { type: 'tool-call-start', index: 1, id: 'call_b', name: 'g' },
        { type: 'tool-call-delta', index: 1, argumentsDelta: '{"b":2}' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: ':1}' },
        { type: 'tool-call-start', index: 2, id: 'call_c', name: 'h' },
        { type: 'tool-call-delta', index: 2, argumentsDelta: '{"c":3}' },
        { type: 'tool-call-end', index: 1 },
        { type: 'tool-call-end', index: 0 },
        { type: 'tool-call-delta', index: 2, argumentsDelta: '' },
        { type: 'finish', reason: 'tool-calls' },
      ],
      expected: [
        messageStart(),
        blockStart(0, { type: 'tool_use', id: 'call_a', name: 'f', input: {} }),
        delta(0, json('{"a"')),
        delta(0, json(':1}')),
        blockStop(0),
        blockStart(1, { type: 'tool_use', id: 'call_b', name: 'g', input: {} }),
        delta(1, json('{"b":2}')),
        blockStop(1),
        blockStart(2, { type: 'tool_use', id: 'call_c', name: 'h', input: {} }),
        delta(2, json('{"c":3}')),
        blockStop(2),
        messageDelta('tool_use', { output_tokens: 0 }),
        messageStop,
      ],
    },
    {
      name: 'says tool_use when the answer has tool calls even if the upstream said stop',
      events: [upStart, { type: 'tool-call-start', index: 0, id: 'call_a', name: 'f' }, { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' }, { type: 'finish', reason: 'stop' }],
      expected: [
        messageStart(),
        blockStart(0, { type: 'tool_use', id: 'call_a', name: 'f', input: {} }),
        delta(0, json('{}')),
        blockStop(0),
        messageDelta('tool_use', { output_tokens: 0 }),
        messageStop,
      ],
    },
    {
      name: 'turns an error into an error event after what was already sent, and then stays silent',
      events: [upStart, { type: 'text-delta', text: 'par' }, { type: 'error', status: 503, message: 'upstream went away' }, { type: 'text-delta', text: 'tial' }],
      expected: [
        messageStart(),
        blockStart(0, { type: 'text', text: '' }),
        delta(0, { type: 'text_delta', text: 'par' }),
        ['error', { type: 'error', error: { type: 'api_error', message: 'upstream went away' } }],
      ],
    },
    {
      name: 'keeps an Anthropic error type carried by the error event',
      events: [upStart, { type: 'error', status: 529, message: 'Overloaded', errorType: 'overloaded_error' }],
      expected: [['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]],
    },
    {
      name: 'reports a stream that ended without finish as an error, never a silent cut',
      events: [upStart, { type: 'text-delta', text: 'x' }],
      expected: [
        messageStart(),
        blockStart(0, { type: 'text', text: '' }),
        delta(0, { type: 'text_delta', text: 'x' }),
        ['error', { type: 'error', error: { type: 'api_error', message: 'stream ended before completion' } }],
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(shape(encodeAll(c.events)), c.expected);
    });
  }

  test('uses the upstream model and ctx id when no model option is given and no start event came', () => {
    const records = encodeAll([{ type: 'text-delta', text: 'x' }, { type: 'finish', reason: 'stop' }], {});
    const first = shape(records)[0];
    assert.deepEqual(first, ['message_start', { type: 'message_start', message: { id: 'msg_ctx', type: 'message', role: 'assistant', model: '', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } } }]);
  });

  test('message_start carries an estimate of the request when the upstream counts only at the end (OpenAI)', () => {
    const request: ChatRequest = { model: 'm', stream: true, messages: [{ role: 'user', content: [{ type: 'text', text: 'x'.repeat(350) }] }] };
    const encoder = createAnthropicStreamEncoder(ctx, { model: 'claude-alias', request });
    const events: StreamEvent[] = [upStart, { type: 'text-delta', text: 'x' }, { type: 'finish', reason: 'stop' }, { type: 'usage', usage: { promptTokens: 130, completionTokens: 2 } }];
    const shaped = shape(events.flatMap((e) => encoder.push(e)).concat(encoder.end()));
    // 3 per message + 350 characters / 3.5
    assert.deepEqual(shaped[0], messageStart({ input_tokens: 103, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }));
    assert.deepEqual(shaped.at(-2), messageDelta('end_turn', { input_tokens: 130, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }));
  });

  test('message_start goes out as soon as the upstream counted the prompt, and the estimate is never asked for', () => {
    const encoder = createAnthropicStreamEncoder(ctx, { model: 'claude-alias', request: { model: 'm', stream: true, messages: [] } });
    assert.deepEqual(encoder.push(upStart), []);
    const records = encoder.push({ type: 'usage', usage: { promptTokens: 57, completionTokens: 0 } });
    assert.deepEqual(shape(records), [messageStart({ input_tokens: 57, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 })]);
  });

  test('a Gemini stream reaches an Anthropic client with the prompt count in message_start', () => {
    const decoder = createGeminiStreamDecoder(ctx);
    const encoder = createAnthropicStreamEncoder(ctx, { model: 'claude-alias', request: { model: 'm', stream: true, messages: [] } });
    const upstream = [
      { candidates: [{ content: { role: 'model', parts: [{ text: 'Hel' }] } }], usageMetadata: { promptTokenCount: 4321, totalTokenCount: 4321 }, responseId: 'r1' },
      { candidates: [{ content: { role: 'model', parts: [{ text: 'lo' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 4321, candidatesTokenCount: 2, totalTokenCount: 4323 } },
    ];
    const records = upstream.flatMap((body) => decoder.push({ data: JSON.stringify(body) })).flatMap((e) => encoder.push(e));
    const shaped = shape(records.concat(encoder.end()));
    assert.deepEqual(shaped[0], messageStart({ input_tokens: 4321, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }, 'r1'));
    assert.deepEqual(shaped.at(-2), messageDelta('end_turn', { input_tokens: 4321, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }));
  });

  test('end() is idempotent and nothing follows message_stop', () => {
    const encoder = createAnthropicStreamEncoder(ctx, { model: 'm' });
    encoder.push({ type: 'finish', reason: 'stop' });
    assert.equal(encoder.end().at(-1)?.event, 'message_stop');
    assert.deepEqual(encoder.end(), []);
    assert.deepEqual(encoder.push({ type: 'text-delta', text: 'late' }), []);
  });

  test('writes a ping record', () => {
    assert.deepEqual(encodeAnthropicPing(), { event: 'ping', data: '{"type":"ping"}' });
  });

  const reencode = (events: StreamEvent[]): string => {
    const upstreamModel = events[0]?.type === 'start' ? events[0].model : '';
    const encoder = createAnthropicStreamEncoder(ctx, { model: upstreamModel });
    const text = events.flatMap((e) => encoder.push(e)).concat(encoder.end()).map(serializeSse).join('');
    // The re-encoded stream is a well-formed Anthropic stream.
    const names = parseSseText(text).map((r) => r.event);
    assert.equal(names[0], 'message_start');
    assert.deepEqual(names.slice(-2), ['message_delta', 'message_stop']);
    return text;
  };

  for (const file of ['text-basic.sse', 'tool-parallel.sse', 'reasoning-then-text.sse', 'max-tokens.sse', 'usage-final-chunk.sse']) {
    test(`round-trips ${file}: decode → encode → decode gives the same events`, () => {
      const events = decodeChunks([fixture(file)]);
      assert.deepEqual(decodeChunks([reencode(events)]), events);
    });
  }

  test('round-trips redacted-thinking-tool.sse, where the call without arguments comes back as "{}"', () => {
    const events = decodeChunks([fixture('redacted-thinking-tool.sse')]);
    const end = events.findIndex((e) => e.type === 'tool-call-end');
    const expected = [...events.slice(0, end), { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' } as const, ...events.slice(end)];
    assert.deepEqual(decodeChunks([reencode(events)]), expected);
  });

  /** Runs the official SDK's stream accumulator over our bytes (a custom fetch, no network). */
  const sdkAccumulate = async (events: StreamEvent[]): Promise<unknown> => {
    const encoder = createAnthropicStreamEncoder(ctx, { model: 'claude-alias' });
    const text = events.flatMap((e) => encoder.push(e)).concat(encoder.end()).map(serializeSse).join('');
    const client = new Anthropic({
      apiKey: 'sk-REDACTED',
      maxRetries: 0,
      fetch: async () => new Response(text, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    });
    return client.messages.stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
  };

  test('produces a stream the official Anthropic SDK accumulates into the expected message', async () => {
    const message = await sdkAccumulate([
      upStart,
      { type: 'reasoning-delta', text: 'thinking…' },
      { type: 'text-delta', text: 'Hello' },
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'f' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a"' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'g' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"b":2}' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: ':1}' },
      { type: 'tool-call-start', index: 2, id: 'call_c', name: 'h' },
      { type: 'finish', reason: 'tool-calls' },
      { type: 'usage', usage: { promptTokens: 100, completionTokens: 20, cachedTokens: 30 } },
    ]);
    // Only the wire fields: the SDK adds its own (parsed_output, stop_details) that vary by version.
    const { id, type, role, model, content, stop_reason, stop_sequence, usage } = message as Record<string, unknown>;
    assert.deepEqual({ id, type, role, model, content, stop_reason, stop_sequence, usage }, {
      id: 'msg_up',
      type: 'message',
      role: 'assistant',
      model: 'claude-alias',
      content: [
        { type: 'thinking', thinking: 'thinking…', signature: '' },
        { type: 'text', text: 'Hello' },
        { type: 'tool_use', id: 'call_a', name: 'f', input: { a: 1 } },
        { type: 'tool_use', id: 'call_b', name: 'g', input: { b: 2 } },
        { type: 'tool_use', id: 'call_c', name: 'h', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 70, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 30 },
    });
  });

  test('produces an error event the official Anthropic SDK raises as an overloaded error', async () => {
    await assert.rejects(sdkAccumulate([upStart, { type: 'text-delta', text: 'x' }, { type: 'error', status: 529, message: 'Overloaded', errorType: 'overloaded_error' }]), /overloaded_error/);
  });
});
