import { GenerateContentResponse } from '@google/genai';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ConvertContext } from '../../core/chat.ts';
import type { SseRecord, StreamEvent } from '../../core/stream-events.ts';
import { createSseParser } from '../../upstream/sse.ts';
import { createGeminiStreamDecoder, createGeminiStreamEncoder, isGeminiStreamComplete } from './chat-stream.ts';

const ctx: ConvertContext = { id: 'ctx0001', nowSeconds: 1_700_000_000 };
const fixture = (name: string): Buffer => readFileSync(new URL(`../../../test/fixtures/gemini/${name}`, import.meta.url));

/** Feeds the bytes through the SSE parser in the given pieces, decoding UTF-8 across the cuts. */
function decodeBytes(pieces: Buffer[]): StreamEvent[] {
  const decoder = createGeminiStreamDecoder(ctx);
  const events: StreamEvent[] = [];
  const parser = createSseParser((record) => events.push(...decoder.push(record)));
  const utf8 = new TextDecoder();
  for (const piece of pieces) parser.feed(utf8.decode(piece, { stream: true }));
  parser.feed(utf8.decode());
  parser.end();
  events.push(...decoder.end());
  return events;
}

const start = (id: string, model = 'gemini-2.5-flash'): StreamEvent => ({ type: 'start', id, model, created: ctx.nowSeconds });
const text = (t: string): StreamEvent => ({ type: 'text-delta', text: t });
const SIGNATURE_CALL = 'CiQBVKhc7oDBXVz1q0rNm7sPaRpXyZ0z4k3mZ0mN0e0Vd9uX1xkKbgFUqFzu';
const SIGNATURE_TEXT = 'EpsCCpgCAdHtim8u2fVgvaJUMz1v2Rc1h0wqtP6J9hPnkJm3XoW0d0o';

const fixtureCases: Array<{ file: string; events: StreamEvent[] }> = [
  {
    file: 'text-basic.sse',
    events: [
      start('mMlTaZv7Bs2nkdUP5d2xqAk'),
      { type: 'usage', usage: { promptTokens: 9, completionTokens: 0 } },
      text('The weather in Paris is'),
      text(' mild today: 18°C and sunny.'),
      { type: 'usage', usage: { promptTokens: 9, completionTokens: 14 } },
      { type: 'finish', reason: 'stop' },
    ],
  },
  {
    file: 'text-crlf.sse',
    events: [
      start('q3FUaf2KDcuWkdUPlJ-z4AQ', 'gemini-2.5-flash-lite'),
      { type: 'usage', usage: { promptTokens: 3, completionTokens: 0 } },
      text('Hello'),
      text('! How can I help?'),
      { type: 'usage', usage: { promptTokens: 3, completionTokens: 7 } },
      { type: 'finish', reason: 'stop' },
    ],
  },
  {
    file: 'tool-parallel.sse',
    events: [
      start('Y8xTafvQKq2hkdUPxtaH4Ao'),
      { type: 'usage', usage: { promptTokens: 58, completionTokens: 0 } },
      text('Let me check both cities.'),
      { type: 'tool-call-start', index: 0, id: 'call_Y8xTafvQKq2hkdUPxtaH4Ao_0', name: 'get_weather', signature: SIGNATURE_CALL, family: 'gemini' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"location":"Paris","unit":"celsius"}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-start', index: 1, id: 'call_Y8xTafvQKq2hkdUPxtaH4Ao_1', name: 'get_weather' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"location":"Tokyo","unit":"celsius"}' },
      { type: 'tool-call-end', index: 1 },
      { type: 'usage', usage: { promptTokens: 58, completionTokens: 93, reasoningTokens: 52 } },
      { type: 'finish', reason: 'tool-calls' },
    ],
  },
  {
    file: 'reasoning-then-text.sse',
    events: [
      start('2M5TaaXuFJLYkdUPrqLS2QM', 'gemini-2.5-pro'),
      { type: 'usage', usage: { promptTokens: 8, completionTokens: 0 } },
      { type: 'reasoning-delta', text: '**Recalling the capital**\n\nThe user asks for the capital of France.' },
      { type: 'reasoning-delta', text: ' It is Paris; I will answer briefly.' },
      text('The capital of France is Paris.'),
      { type: 'reasoning-signature', signature: SIGNATURE_TEXT, family: 'gemini' },
      { type: 'usage', usage: { promptTokens: 8, completionTokens: 310, reasoningTokens: 303 } },
      { type: 'finish', reason: 'stop' },
    ],
  },
  {
    file: 'max-tokens.sse',
    events: [
      start('hNBTaZKzNJ6okdUPo7nKoQY'),
      { type: 'usage', usage: { promptTokens: 6, completionTokens: 0 } },
      text('Once upon a time, in a'),
      text(' quiet village'),
      { type: 'usage', usage: { promptTokens: 6, completionTokens: 8 } },
      { type: 'finish', reason: 'length' },
    ],
  },
  {
    file: 'error-mid-stream.sse',
    events: [
      start('a9JTaeLmGsuJkdUPy5mVmAw'),
      { type: 'usage', usage: { promptTokens: 5, completionTokens: 0 } },
      text('Here is the first part'),
      { type: 'error', status: 503, message: 'The model is overloaded. Please try again later.', errorType: 'UNAVAILABLE' },
    ],
  },
  {
    file: 'usage-final-chunk.sse',
    events: [
      start('pdNTaeTZBMqAkdUP8c3N8Qk'),
      { type: 'usage', usage: { promptTokens: 2061, completionTokens: 0, cachedTokens: 2048 } },
      text('Summary:'),
      text(' the contract runs for two years.'),
      { type: 'usage', usage: { promptTokens: 2061, completionTokens: 50, cachedTokens: 2048, reasoningTokens: 40 } },
      { type: 'finish', reason: 'stop' },
    ],
  },
  {
    file: 'malformed-json-line.sse',
    events: [
      start('t9VTacuAO5KUkdUP0rWm-QU'),
      { type: 'usage', usage: { promptTokens: 4, completionTokens: 0 } },
      text('Partial answer'),
      { type: 'error', status: 502, message: 'malformed JSON in upstream Gemini stream: {"candidates": [{"content": {"parts": [{"text": " then the conn' },
    ],
  },
  {
    file: 'prompt-blocked.sse',
    events: [start('x9dTaZ2dC6KxkdUPk7-V2Qs'), { type: 'usage', usage: { promptTokens: 12, completionTokens: 0 } }, { type: 'finish', reason: 'content-filter' }],
  },
];

describe('createGeminiStreamDecoder', () => {
  for (const c of fixtureCases) {
    test(`decodes ${c.file} whole and split at every byte offset`, () => {
      const bytes = fixture(c.file);
      assert.deepEqual(decodeBytes([bytes]), c.events);
      for (let cut = 1; cut < bytes.length; cut++) {
        assert.deepEqual(decodeBytes([bytes.subarray(0, cut), bytes.subarray(cut)]), c.events, `split at byte ${cut}`);
      }
    });
  }

  test('fixtures use CRLF line ends where recorded so', () => {
    assert.ok(fixture('text-crlf.sse').includes('\r\n\r\ndata: '));
  });

  const push = (records: unknown[]): StreamEvent[] => {
    const decoder = createGeminiStreamDecoder(ctx);
    const out = records.flatMap((r) => decoder.push({ data: typeof r === 'string' ? r : JSON.stringify(r) }));
    return out.concat(decoder.end());
  };
  const cases: Array<{ name: string; records: unknown[]; events: StreamEvent[] }> = [
    {
      name: 'keeps ids Gemini gives to function calls and falls back to ctx.id without responseId',
      records: [
        { candidates: [{ content: { role: 'model', parts: [{ functionCall: { id: 'fc-1', name: 'ls', args: {} } }, { functionCall: { name: 'pwd' } }] }, finishReason: 'STOP' }] },
      ],
      events: [
        { type: 'start', id: 'ctx0001', model: '', created: ctx.nowSeconds },
        { type: 'tool-call-start', index: 0, id: 'fc-1', name: 'ls' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' },
        { type: 'tool-call-end', index: 0 },
        { type: 'tool-call-start', index: 1, id: 'call_ctx0001_1', name: 'pwd' },
        { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
        { type: 'tool-call-end', index: 1 },
        { type: 'finish', reason: 'tool-calls' },
      ],
    },
    {
      name: 'reports a stream cut before any finishReason, with the usage seen so far',
      records: [{ candidates: [{ content: { parts: [{ text: 'Hel' }] } }], usageMetadata: { promptTokenCount: 2, totalTokenCount: 2 } }],
      events: [
        { type: 'start', id: 'ctx0001', model: '', created: ctx.nowSeconds },
        { type: 'usage', usage: { promptTokens: 2, completionTokens: 0 } },
        text('Hel'),
        { type: 'error', status: 502, message: 'stream ended before completion' },
      ],
    },
    {
      name: 'turns an error record into an error event even before any content',
      records: [{ error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' } }, { candidates: [] }],
      events: [{ type: 'error', status: 429, message: 'Resource has been exhausted', errorType: 'RESOURCE_EXHAUSTED' }],
    },
    {
      name: 'takes the HTTP status from the RPC status when the error has no code',
      records: [{ error: { message: 'deadline', status: 'DEADLINE_EXCEEDED' } }],
      events: [{ type: 'error', status: 504, message: 'deadline', errorType: 'DEADLINE_EXCEEDED' }],
    },
    {
      name: 'maps safety stops to content-filter and ignores records after the finish',
      records: [
        { candidates: [{ finishReason: 'SAFETY', safetyRatings: [] }], responseId: 'r1', modelVersion: 'm' },
        { candidates: [{ content: { parts: [{ text: 'late' }] } }] },
      ],
      events: [{ type: 'start', id: 'r1', model: 'm', created: ctx.nowSeconds }, { type: 'finish', reason: 'content-filter' }],
    },
    {
      name: 'tolerates a [DONE] line and blank data',
      records: ['[DONE]', '', { candidates: [{ content: { parts: [{ text: 'x', thought: true, thoughtSignature: 's1' }] }, finishReason: 'STOP' }] }],
      events: [
        { type: 'start', id: 'ctx0001', model: '', created: ctx.nowSeconds },
        { type: 'reasoning-delta', text: 'x' },
        { type: 'reasoning-signature', signature: 's1', family: 'gemini' },
        { type: 'finish', reason: 'stop' },
      ],
    },
    {
      name: 'reports JSON that is not an object',
      records: ['[1,2]'],
      events: [{ type: 'error', status: 502, message: 'unexpected upstream Gemini stream data: [1,2]' }],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(push(c.records), c.events));
});

describe('isGeminiStreamComplete', () => {
  const cases: Array<{ name: string; data: string; complete: boolean }> = [
    { name: 'a record with finishReason ends the stream', data: '{"candidates":[{"finishReason":"STOP"}]}', complete: true },
    { name: 'a blocked prompt ends the stream', data: '{"promptFeedback":{"blockReason":"SAFETY"}}', complete: true },
    { name: 'a content record does not', data: '{"candidates":[{"content":{"parts":[{"text":"a"}]}}]}', complete: false },
    { name: 'malformed data does not', data: '{"candi', complete: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(isGeminiStreamComplete({ data: c.data }), c.complete));
});

describe('createGeminiStreamEncoder', () => {
  const run = (events: StreamEvent[]): { records: SseRecord[]; bodies: unknown[] } => {
    const encoder = createGeminiStreamEncoder(ctx, { model: 'claude-sonnet-4-5' });
    const records = events.flatMap((e) => encoder.push(e)).concat(encoder.end());
    assert.deepEqual(encoder.end(), [], 'end() is idempotent');
    return { records, bodies: records.map((r) => JSON.parse(r.data) as unknown) };
  };
  const frame = (parts: unknown[], id = 'msg_1'): unknown => ({
    candidates: [{ content: { role: 'model', parts }, index: 0 }],
    modelVersion: 'claude-sonnet-4-5',
    responseId: id,
  });

  test('writes one record per delta and the finish record, with the latest usage, at end()', () => {
    const { records, bodies } = run([
      { type: 'start', id: 'msg_1', model: 'claude-sonnet-4-5-20250929', created: 1 },
      { type: 'reasoning-delta', text: 'Thinking' },
      { type: 'reasoning-signature', signature: 'anthropic-sig', family: 'anthropic' },
      { type: 'text-delta', text: 'Hi' },
      { type: 'text-delta', text: '' },
      { type: 'usage', usage: { promptTokens: 3, completionTokens: 1 } },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 10, completionTokens: 20, cachedTokens: 4, reasoningTokens: 5 } },
    ]);
    assert.ok(records.every((r) => r.event === undefined));
    assert.deepEqual(bodies, [
      frame([{ text: 'Thinking', thought: true }]),
      frame([{ text: 'Hi' }]),
      {
        candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }],
        modelVersion: 'claude-sonnet-4-5',
        responseId: 'msg_1',
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 15, totalTokenCount: 30, cachedContentTokenCount: 4, thoughtsTokenCount: 5 },
      },
    ]);
    const sdk = bodies.map((b) => Object.assign(new GenerateContentResponse(), b));
    assert.equal(sdk.map((r) => r.text ?? '').join(''), 'Hi');
  });

  test('puts a Gemini signature on the thought it closes, or alone after text', () => {
    const { bodies } = run([
      { type: 'reasoning-delta', text: 'a' },
      { type: 'reasoning-signature', signature: 's1', family: 'gemini' },
      { type: 'text-delta', text: 'b' },
      { type: 'reasoning-signature', signature: 's2', family: 'gemini' },
    ]);
    assert.deepEqual(bodies, [
      frame([{ text: 'a', thought: true }], 'ctx0001'),
      frame([{ text: '', thought: true, thoughtSignature: 's1' }], 'ctx0001'),
      frame([{ text: 'b' }], 'ctx0001'),
      frame([{ text: '', thoughtSignature: 's2' }], 'ctx0001'),
    ]);
  });

  test('buffers tool-call fragments and sends each call whole, with its id and Gemini signature', () => {
    const { bodies } = run([
      { type: 'start', id: 'msg_1', model: 'x', created: 1 },
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather', signature: 'sig-a', family: 'gemini' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"location":' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'get_time', signature: 'other', family: 'anthropic' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: ' "Paris"}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '' },
      { type: 'finish', reason: 'tool-calls' },
    ]);
    assert.deepEqual(bodies, [
      frame([{ functionCall: { id: 'call_a', name: 'get_weather', args: { location: 'Paris' } }, thoughtSignature: 'sig-a' }]),
      frame([{ functionCall: { id: 'call_b', name: 'get_time', args: {} } }]),
      { candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }], modelVersion: 'claude-sonnet-4-5', responseId: 'msg_1' },
    ]);
    const calls = bodies.flatMap((b) => Object.assign(new GenerateContentResponse(), b).functionCalls ?? []);
    assert.deepEqual(calls.map((c) => c.name), ['get_weather', 'get_time']);
  });

  test('ends the stream with an error record when call arguments are not a JSON object', () => {
    const { bodies } = run([
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'f' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"broken' },
      { type: 'tool-call-end', index: 0 },
      { type: 'text-delta', text: 'ignored' },
      { type: 'finish', reason: 'tool-calls' },
    ]);
    assert.deepEqual(bodies, [
      { error: { code: 502, message: 'the provider sent tool call "f" with arguments that are not a JSON object', status: 'INTERNAL' } },
    ]);
  });

  const errorCases: Array<{ name: string; event: StreamEvent; body: unknown }> = [
    {
      name: 'renders a rate limit as RESOURCE_EXHAUSTED',
      event: { type: 'error', status: 429, message: 'slow down', errorType: 'rate_limit_error' },
      body: { error: { code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED' } },
    },
    {
      name: 'keeps an upstream RPC status',
      event: { type: 'error', status: 503, message: 'overloaded', errorType: 'UNAVAILABLE' },
      body: { error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } },
    },
    {
      name: 'renders a cut stream as INTERNAL',
      event: { type: 'error', status: 502, message: 'stream ended before completion' },
      body: { error: { code: 502, message: 'stream ended before completion', status: 'INTERNAL' } },
    },
  ];
  for (const c of errorCases) {
    test(c.name, () => {
      const { bodies } = run([{ type: 'text-delta', text: 'a' }, c.event, { type: 'text-delta', text: 'b' }]);
      assert.deepEqual(bodies, [frame([{ text: 'a' }], 'ctx0001'), c.body]);
    });
  }

  test('drops the pending finish when an error follows it', () => {
    const { bodies } = run([{ type: 'finish', reason: 'stop' }, { type: 'error', status: 500, message: 'boom' }]);
    assert.deepEqual(bodies, [{ error: { code: 500, message: 'boom', status: 'INTERNAL' } }]);
  });

  test('round-trips a fixture through decoder and encoder', () => {
    const events = decodeBytes([fixture('tool-parallel.sse')]);
    const { bodies } = run(events);
    assert.deepEqual(bodies.at(-1), {
      candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }],
      modelVersion: 'claude-sonnet-4-5',
      responseId: 'Y8xTafvQKq2hkdUPxtaH4Ao',
      usageMetadata: { promptTokenCount: 58, candidatesTokenCount: 41, totalTokenCount: 151, thoughtsTokenCount: 52 },
    });
    assert.deepEqual(bodies[1], {
      candidates: [
        {
          content: {
            role: 'model',
            parts: [{ functionCall: { id: 'call_Y8xTafvQKq2hkdUPxtaH4Ao_0', name: 'get_weather', args: { location: 'Paris', unit: 'celsius' } }, thoughtSignature: SIGNATURE_CALL }],
          },
          index: 0,
        },
      ],
      modelVersion: 'claude-sonnet-4-5',
      responseId: 'Y8xTafvQKq2hkdUPxtaH4Ao',
    });
  });
});
