import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ConvertContext } from '../../core/chat.ts';
import type { SseRecord, StreamEvent } from '../../core/stream-events.ts';
import { createSseParser, parseSseText } from '../../upstream/sse.ts';
import { createOpenAIStreamDecoder, createOpenAIStreamEncoder } from './chat-stream.ts';

const CTX: ConvertContext = { id: 'chatcmpl-llmux42', nowSeconds: 1764000000 };
const FIXTURES = new URL('../../../test/fixtures/openai/', import.meta.url);

function fixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

/** Feeds bytes through a streaming UTF-8 decoder and the SSE parser, split in two at `at`. */
function decodeBytes(bytes: Buffer, at?: number): StreamEvent[] {
  const decoder = createOpenAIStreamDecoder(CTX);
  const events: StreamEvent[] = [];
  const parser = createSseParser((record) => events.push(...decoder.push(record)));
  const utf8 = new TextDecoder();
  const pieces = at === undefined ? [bytes] : [bytes.subarray(0, at), bytes.subarray(at)];
  for (const piece of pieces) parser.feed(utf8.decode(piece, { stream: true }));
  parser.feed(utf8.decode());
  parser.end();
  events.push(...decoder.end());
  return events;
}

const text = (t: string): StreamEvent => ({ type: 'text-delta', text: t });
const reasoning = (t: string): StreamEvent => ({ type: 'reasoning-delta', text: t });
const args = (index: number, argumentsDelta: string): StreamEvent => ({ type: 'tool-call-delta', index, argumentsDelta });

const fixtureCases: Array<{ file: string; events: StreamEvent[] }> = [
  {
    file: 'text-basic.sse',
    events: [
      { type: 'start', id: 'chatcmpl-CfR2hT0ZkUq8xYv3Lw1nPp9aBcDeF', model: 'gpt-4o-mini-2024-07-18', created: 1763900412 },
      ...['Hello', '!', ' How', ' can', ' I', ' help', ' you', ' today', '?'].map(text),
      { type: 'finish', reason: 'stop' },
    ],
  },
  {
    file: 'tool-parallel.sse',
    events: [
      { type: 'start', id: 'chatcmpl-CfR3a8sKq2WvB7yNn4Zt0Lm1Hc5Ux', model: 'gpt-4.1-2025-04-14', created: 1763900477 },
      { type: 'tool-call-start', index: 0, id: 'call_7QbF2dX9mLr4KzWc1pVt8sNa', name: 'get_weather' },
      ...['{"lo', 'cation', '": "Pa', 'ris, F', 'rance"}'].map((a) => args(0, a)),
      { type: 'tool-call-start', index: 1, id: 'call_Hn3YeR6wQpZ0tJ2mBv5Lc8Ks', name: 'get_weather' },
      ...['{"lo', 'cation', '": "To', 'kyo, J', 'apan"}'].map((a) => args(1, a)),
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-end', index: 1 },
      { type: 'finish', reason: 'tool-calls' },
      { type: 'usage', usage: { promptTokens: 82, completionTokens: 51, cachedTokens: 0, reasoningTokens: 0 } },
    ],
  },
  {
    file: 'reasoning-then-text.sse',
    events: [
      { type: 'start', id: '5f0c2a7e-3b8d-4e51-9a06-2c7d1e4b8f93', model: 'deepseek-reasoner', created: 1763900533 },
      ...['The user', ' asks for', ' 9.11 vs 9.9', '.', ' Compare tenths:', ' 1 < 9, so 9.9', ' is larger.'].map(reasoning),
      ...['9.9', ' is', ' larger', ' than 9.11', '.'].map(text),
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 18, completionTokens: 96, cachedTokens: 0, reasoningTokens: 81 } },
    ],
  },
  {
    file: 'max-tokens.sse',
    events: [
      { type: 'start', id: 'chatcmpl-CfR4QmZ1vX8sT2kLp0Nw7Yh3Ra6Ge', model: 'gpt-4o-2024-08-06', created: 1763900601 },
      ...['Once', ' upon', ' a', ' time', ',', ' in'].map(text),
      { type: 'finish', reason: 'length' },
      { type: 'usage', usage: { promptTokens: 14, completionTokens: 6, cachedTokens: 0, reasoningTokens: 0 } },
    ],
  },
  {
    file: 'error-mid-stream.sse',
    events: [
      { type: 'start', id: 'chatcmpl-CfR5bK2nW9yQ4tVh6Ls0Pz3Xd8Mj', model: 'gpt-4o-2024-08-06', created: 1763900688 },
      ...['The', ' answer', ' is'].map(text),
      {
        type: 'error',
        status: 502,
        message: 'The server had an error while processing your request. Sorry about that!',
        errorType: 'server_error',
      },
    ],
  },
  {
    file: 'usage-final-chunk.sse',
    events: [
      { type: 'start', id: 'chatcmpl-CfR6pY7cM1rT5qXw3Nb9Ke2Vh0Lz', model: 'gpt-5-mini-2025-08-07', created: 1763900745 },
      text('Paris'),
      text('.'),
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 1536, completionTokens: 72, cachedTokens: 1280, reasoningTokens: 64 } },
    ],
  },
  {
    file: 'malformed-json-line.sse',
    events: [
      { type: 'start', id: 'chatcmpl-CfR7dS4gH8wN1pLq6Zx2Vb9Tk3Ym', model: 'gpt-4o-mini-2024-07-18', created: 1763900802 },
      text('Hi'),
      {
        type: 'error',
        status: 502,
        message:
          'malformed upstream stream data: {"id":"chatcmpl-CfR7dS4gH8wN1pLq6Zx2Vb9Tk3Ym","object":"chat.completion.chunk","created":1763900802,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":" th',
      },
    ],
  },
  {
    file: 'tool-gemini-signature.sse',
    events: [
      { type: 'start', id: 'v7oiaMWkH6qk1e8PmN2x0Ac', model: 'gemini-2.5-flash', created: 1763900866 },
      text("I'll check the weather in both cities."),
      {
        type: 'tool-call-start',
        index: 0,
        id: 'function-call-13218749104832167301',
        name: 'get_weather',
        signature: 'CsYBAY89a1+Zk3Qe0Wv4Lr7Xn2Pt5Ym8Hb1Jc6Fd9Ag==',
        family: 'gemini',
      },
      args(0, '{"location":"Paris"}'),
      { type: 'tool-call-start', index: 1, id: 'function-call-13218749104832167302', name: 'get_weather' },
      args(1, '{"location":"Tokyo"}'),
      { type: 'usage', usage: { promptTokens: 71, completionTokens: 134, reasoningTokens: 96 } },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-end', index: 1 },
      { type: 'finish', reason: 'tool-calls' },
    ],
  },
  {
    file: 'reasoning-details.sse',
    events: [
      { type: 'start', id: 'gen-1763900911-Qw8Zr3Lk5Nt1Vx7Hy2Bc', model: 'anthropic/claude-sonnet-4.5', created: 1763900911 },
      reasoning('Simple arithmetic'),
      reasoning(': 2+2=4.'),
      text('2 + 2 = 4'),
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 42, completionTokens: 31, cachedTokens: 0, reasoningTokens: 18 } },
    ],
  },
  {
    file: 'done-without-finish.sse',
    events: [
      { type: 'start', id: 'chatcmpl-qwen-8f3b2a', model: 'qwen3-coder-plus', created: 1763900977 },
      text('OK'),
      text(' done'),
      { type: 'finish', reason: 'stop' },
    ],
  },
];

describe('createOpenAIStreamDecoder on recorded streams', () => {
  for (const c of fixtureCases) {
    test(`decodes ${c.file} whole and split at every byte`, () => {
      const bytes = fixture(c.file);
      assert.deepEqual(decodeBytes(bytes), c.events);
      for (let at = 1; at < bytes.length; at++) {
        assert.deepEqual(decodeBytes(bytes, at), c.events, `split at byte ${at}`);
      }
    });
  }

  test('fixtures carry provenance and no real keys', () => {
    for (const c of fixtureCases) {
      const body = fixture(c.file).toString('utf8');
      assert.match(body, /^: \S/, `${c.file} starts with a provenance comment`);
      assert.doesNotMatch(body, /sk-(?!REDACTED)[A-Za-z0-9_-]{16,}/, `${c.file} holds no key`);
    }
  });
});

/** Runs data strings (one SSE record each) through a fresh decoder, then end(). */
function decodeRecords(records: Array<string | SseRecord>): StreamEvent[] {
  const decoder = createOpenAIStreamDecoder(CTX);
  const out = records.flatMap((r) => decoder.push(typeof r === 'string' ? { data: r } : r));
  return out.concat(decoder.end());
}

const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 7, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }], ...extra });
const START: StreamEvent = { type: 'start', id: 'chatcmpl-x', model: 'm', created: 7 };

describe('createOpenAIStreamDecoder', () => {
  const cases: Array<{ name: string; records: Array<string | SseRecord>; events: StreamEvent[] }> = [
    {
      name: 'reports a stream cut before any finish as an error',
      records: [chunk({ content: 'Hel' })],
      events: [START, text('Hel'), { type: 'error', status: 502, message: 'stream ended before completion' }],
    },
    {
      name: 'accepts a finished stream that never sent [DONE]',
      records: [chunk({ content: 'Hi' }), chunk({}, 'stop')],
      events: [START, text('Hi'), { type: 'finish', reason: 'stop' }],
    },
    {
      name: 'holds argument fragments until the call has a name',
      records: [
        chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { arguments: '{"q"' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { name: 'search', arguments: ':1}' } }] }),
        chunk({}, 'tool_calls'),
        '[DONE]',
      ],
      events: [
        START,
        { type: 'tool-call-start', index: 0, id: 'call_a', name: 'search' },
        args(0, '{"q":1}'),
        { type: 'tool-call-end', index: 0 },
        { type: 'finish', reason: 'tool-calls' },
      ],
    },
    {
      name: 'treats a new id and name at a used index as a new call',
      records: [
        chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{}' } }] }),
        chunk({ tool_calls: [{ index: 0, id: 'call_b', type: 'function', function: { name: 'g', arguments: '{"x":1}' } }] }),
        chunk({}, 'tool_calls'),
      ],
      events: [
        START,
        { type: 'tool-call-start', index: 0, id: 'call_a', name: 'f' },
        args(0, '{}'),
        { type: 'tool-call-end', index: 0 },
        { type: 'tool-call-start', index: 1, id: 'call_b', name: 'g' },
        args(1, '{"x":1}'),
        { type: 'tool-call-end', index: 1 },
        { type: 'finish', reason: 'tool-calls' },
      ],
    },
    {
      name: 'synthesises an id for a call that has none',
      records: [chunk({ tool_calls: [{ index: 0, function: { name: 'f', arguments: '' } }] }, 'tool_calls')],
      events: [
        START,
        { type: 'tool-call-start', index: 0, id: 'call_llmux42_0', name: 'f' },
        { type: 'tool-call-end', index: 0 },
        { type: 'finish', reason: 'tool-calls' },
      ],
    },
    {
      name: 'maps finish_reason stop to tool-calls when the answer has calls',
      records: [chunk({ tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: '{}' } }] }, 'stop')],
      events: [
        START,
        { type: 'tool-call-start', index: 0, id: 'c', name: 'f' },
        args(0, '{}'),
        { type: 'tool-call-end', index: 0 },
        { type: 'finish', reason: 'tool-calls' },
      ],
    },
    {
      name: 'maps content_filter to content-filter',
      records: [chunk({}, 'content_filter')],
      events: [START, { type: 'finish', reason: 'content-filter' }],
    },
    {
      name: 'reads usage from a chunk whose choices is null',
      records: [
        chunk({}, 'stop'),
        JSON.stringify({ id: 'chatcmpl-x', choices: null, usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } }),
        '[DONE]',
      ],
      events: [START, { type: 'finish', reason: 'stop' }, { type: 'usage', usage: { promptTokens: 3, completionTokens: 4 } }],
    },
    {
      name: 'tolerates chunks without choices',
      records: [JSON.stringify({ id: 'chatcmpl-x', model: 'm', created: 7 }), chunk({ content: 'a' }, 'stop')],
      events: [START, text('a'), { type: 'finish', reason: 'stop' }],
    },
    {
      name: 'reads the llmux reasoning_signature extension',
      records: [chunk({ reasoning_content: 'think' }), chunk({ reasoning_signature: 'sig' }), chunk({}, 'stop')],
      events: [
        START,
        reasoning('think'),
        { type: 'reasoning-signature', signature: 'sig', family: 'anthropic' },
        { type: 'finish', reason: 'stop' },
      ],
    },
    {
      name: 'turns an error chunk with a numeric code into an error with that status',
      records: [JSON.stringify({ error: { message: 'slow down', type: 'rate_limit_exceeded', code: 429 } })],
      events: [{ type: 'error', status: 429, message: 'slow down', errorType: 'rate_limit_exceeded' }],
    },
    {
      name: 'turns an `event: error` record into an error',
      records: [{ event: 'error', data: JSON.stringify({ message: 'overloaded' }) }],
      events: [{ type: 'error', status: 502, message: 'overloaded' }],
    },
    {
      name: 'keeps the text of an `event: error` record that is not JSON',
      records: [{ event: 'error', data: 'upstream overloaded' }],
      events: [{ type: 'error', status: 502, message: 'upstream overloaded' }],
    },
    {
      name: 'ignores everything after [DONE]',
      records: [chunk({ content: 'a' }, 'stop'), '[DONE]', chunk({ content: 'late' })],
      events: [START, text('a'), { type: 'finish', reason: 'stop' }],
    },
    {
      name: 'ignores everything after an error',
      records: ['{not json', chunk({ content: 'late' })],
      events: [{ type: 'error', status: 502, message: 'malformed upstream stream data: {not json' }],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(decodeRecords(c.records), c.events));
});

function encode(events: StreamEvent[], opts = { includeUsage: false, model: 'alias-model' }): unknown[] {
  const encoder = createOpenAIStreamEncoder(CTX, opts);
  const records = events.flatMap((e) => encoder.push(e)).concat(encoder.end(), encoder.end());
  return records.map((r) => {
    assert.equal(r.event, undefined, 'OpenAI streams have no event names');
    return r.data === '[DONE]' ? '[DONE]' : (JSON.parse(r.data) as unknown);
  });
}

const base = { id: 'chatcmpl-llmux42', object: 'chat.completion.chunk', created: 1764000000 };
const out = (model: string, delta: Record<string, unknown>, finish: string | null = null, usage?: null) => ({
  ...base,
  model,
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  ...(usage === null ? { usage: null } : {}),
});

describe('createOpenAIStreamEncoder', () => {
  test('writes a text answer with the upstream model, a role chunk first and [DONE] last', () => {
    const records = encode([
      { type: 'start', id: 'msg_1', model: 'claude-sonnet-4-5', created: 1 },
      text('Hel'),
      text('lo'),
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 5, completionTokens: 2 } },
    ]);
    assert.deepEqual(records, [
      out('claude-sonnet-4-5', { role: 'assistant', content: '' }),
      out('claude-sonnet-4-5', { content: 'Hel' }),
      out('claude-sonnet-4-5', { content: 'lo' }),
      out('claude-sonnet-4-5', {}, 'stop'),
      '[DONE]',
    ]);
  });

  test('sends usage null on every chunk and one usage chunk before [DONE] when the client asked', () => {
    const records = encode(
      [
        text('Hi'),
        { type: 'usage', usage: { promptTokens: 10, completionTokens: 1 } },
        { type: 'finish', reason: 'length' },
        { type: 'usage', usage: { promptTokens: 12, completionTokens: 3, cachedTokens: 8, reasoningTokens: 1 } },
      ],
      { includeUsage: true, model: 'alias-model' },
    );
    assert.deepEqual(records, [
      out('alias-model', { role: 'assistant', content: '' }, null, null),
      out('alias-model', { content: 'Hi' }, null, null),
      out('alias-model', {}, 'length', null),
      {
        ...base,
        model: 'alias-model',
        choices: [],
        usage: {
          prompt_tokens: 12,
          completion_tokens: 3,
          total_tokens: 15,
          prompt_tokens_details: { cached_tokens: 8 },
          completion_tokens_details: { reasoning_tokens: 1 },
        },
      },
      '[DONE]',
    ]);
  });

  test('gives id, type and name only on the first fragment of each call, and "{}" to a call without arguments', () => {
    const records = encode([
      { type: 'start', id: 'x', model: '', created: 1 },
      { type: 'tool-call-start', index: 0, id: 'toolu_1', name: 'get_weather' },
      args(0, '{"city":'),
      { type: 'tool-call-start', index: 1, id: 'toolu_2', name: 'get_time' },
      args(0, '"Paris"}'),
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-end', index: 1 },
      { type: 'finish', reason: 'tool-calls' },
    ]);
    const m = 'alias-model';
    assert.deepEqual(records, [
      out(m, { role: 'assistant', content: '' }),
      out(m, { tool_calls: [{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      out(m, { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      out(m, { tool_calls: [{ index: 1, id: 'toolu_2', type: 'function', function: { name: 'get_time', arguments: '' } }] }),
      out(m, { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      out(m, { tool_calls: [{ index: 1, function: { arguments: '{}' } }] }),
      out(m, {}, 'tool_calls'),
      '[DONE]',
    ]);
  });

  test('closes calls left open by finish and reports tool_calls', () => {
    const records = encode([
      { type: 'tool-call-start', index: 0, id: 'c', name: 'f' },
      { type: 'finish', reason: 'stop' },
    ]);
    assert.deepEqual(records.slice(2), [
      out('alias-model', { tool_calls: [{ index: 0, function: { arguments: '{}' } }] }),
      out('alias-model', {}, 'tool_calls'),
      '[DONE]',
    ]);
  });

  test('writes reasoning as reasoning_content, an Anthropic signature as reasoning_signature, and drops redacted thinking', () => {
    const records = encode([
      reasoning('Let me think.'),
      { type: 'reasoning-signature', signature: 'EqQB', family: 'anthropic' },
      { type: 'reasoning-signature', signature: 'gem', family: 'gemini' },
      { type: 'redacted-reasoning', data: 'opaque' },
      text('Done.'),
      { type: 'finish', reason: 'stop' },
    ]);
    assert.deepEqual(records, [
      out('alias-model', { role: 'assistant', content: '' }),
      out('alias-model', { reasoning_content: 'Let me think.' }),
      out('alias-model', { reasoning_signature: 'EqQB' }),
      out('alias-model', { content: 'Done.' }),
      out('alias-model', {}, 'stop'),
      '[DONE]',
    ]);
  });

  test('puts a Gemini signature in extra_content.google.thought_signature', () => {
    const records = encode([
      { type: 'tool-call-start', index: 0, id: 'call_1', name: 'f', signature: 'sig', family: 'gemini' },
      args(0, '{}'),
      { type: 'finish', reason: 'tool-calls' },
    ]);
    assert.deepEqual(records[1], out('alias-model', {
      tool_calls: [
        { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' }, extra_content: { google: { thought_signature: 'sig' } } },
      ],
    }));
  });

  test('ends with an error frame and [DONE] on an error, and sends nothing after', () => {
    const encoder = createOpenAIStreamEncoder(CTX, { includeUsage: true, model: 'm' });
    encoder.push(text('partial'));
    encoder.push({ type: 'usage', usage: { promptTokens: 1, completionTokens: 1 } });
    const records = encoder.push({ type: 'error', status: 502, message: 'upstream went away', errorType: 'overloaded_error' });
    assert.deepEqual(records, [
      { data: JSON.stringify({ error: { message: 'upstream went away', type: 'overloaded_error', param: null, code: null } }) },
      { data: '[DONE]' },
    ]);
    assert.deepEqual(encoder.push(text('late')), []);
    assert.deepEqual(encoder.end(), []);
  });

  test('derives the error type from the status when the upstream gave none', () => {
    const encoder = createOpenAIStreamEncoder(CTX, { includeUsage: false, model: 'm' });
    const [frame] = encoder.push({ type: 'error', status: 429, message: 'slow down' });
    assert.deepEqual(JSON.parse(frame?.data ?? ''), { error: { message: 'slow down', type: 'rate_limit_error', param: null, code: null } });
  });
});

describe('OpenAI stream round trip', () => {
  for (const file of ['tool-parallel.sse', 'reasoning-then-text.sse', 'tool-gemini-signature.sse']) {
    test(`re-encoding ${file} and decoding it again gives the same events`, () => {
      const events = decodeBytes(fixture(file));
      const encoder = createOpenAIStreamEncoder(CTX, { includeUsage: true, model: 'alias' });
      const records = events.flatMap((e) => encoder.push(e)).concat(encoder.end());
      const wire = records.map((r) => `data: ${r.data}\n\n`).join('');
      const again = decodeRecords(parseSseText(wire));
      const [first, ...rest] = events;
      assert.equal(first?.type, 'start');
      const normalize = (evs: StreamEvent[]) =>
        evs.filter((e) => e.type !== 'start').sort((a, b) => (a.type === 'usage' ? 1 : 0) - (b.type === 'usage' ? 1 : 0));
      assert.deepEqual(normalize(again), normalize(rest));
    });
  }
});
