import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ChatResponse, ConvertContext } from '../../core/chat.ts';
import { GatewayError } from '../../core/errors.ts';
import { decodeAnthropicChatResponse, encodeAnthropicChatResponse } from './chat-response.ts';

const ctx: ConvertContext = { id: 'msg_ctx', nowSeconds: 1_700_000_000 };
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../test/fixtures/anthropic/${name}`, import.meta.url), 'utf8'));
const SIGNATURE =
  'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds1A3x9qkXgaJDOYhzOMPoVaGyZCnxMHvcVRqFmW1qNK9gBMz8w3vVuRa4mNYgdSP9bNEKmPDhWSY1hKLoLrL8KIn1MaBcbGjuZ5sQkWKsuQWH0eNPNiGCFkxA4xKNi+jgeyD2XqL3vXo2BZQhsrKlCCMEtZJ4Rg==';
const REDACTED = 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB8URj2pLmJ8MaE=';

describe('decodeAnthropicChatResponse', () => {
  const cases: Array<{ file: string; expected: ChatResponse }> = [
    {
      file: 'text-basic.json',
      expected: {
        id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
        model: 'claude-sonnet-4-5-20250929',
        created: ctx.nowSeconds,
        content: [{ type: 'text', text: 'Hello! How can I help you today? ✨' }],
        finishReason: 'stop',
        usage: { promptTokens: 25, completionTokens: 15, cachedTokens: 0, cacheCreationTokens: 0 },
      },
    },
    {
      file: 'tool-parallel.json',
      expected: {
        id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
        model: 'claude-sonnet-4-5-20250929',
        created: ctx.nowSeconds,
        content: [
          { type: 'text', text: "I'll check the weather in both cities." },
          { type: 'tool-call', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"fahrenheit"}' },
          { type: 'tool-call', id: 'toolu_01HnKvS6dB4Xb8sZ7u3QmR2c', name: 'get_weather', arguments: '{"location":"Tokyo, 東京","unit":"celsius"}' },
        ],
        finishReason: 'tool-calls',
        usage: { promptTokens: 472, completionTokens: 89, cachedTokens: 0, cacheCreationTokens: 0 },
      },
    },
    {
      file: 'reasoning-then-text.json',
      expected: {
        id: 'msg_01Pr8tZ6bq2eKc5LqA3wZ7uY',
        model: 'claude-sonnet-4-5-20250929',
        created: ctx.nowSeconds,
        content: [
          {
            type: 'reasoning',
            text: 'I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\n\n1071 = 2 × 462 + 147\n462 = 3 × 147 + 21\n147 = 7 × 21 + 0\n\nSo the GCD is 21.',
            family: 'anthropic',
            signature: SIGNATURE,
          },
          { type: 'reasoning', text: '', redactedData: REDACTED, family: 'anthropic' },
          { type: 'text', text: 'The greatest common divisor of 1071 and 462 is **21**.' },
        ],
        finishReason: 'stop',
        usage: { promptTokens: 48, completionTokens: 112, cachedTokens: 0, cacheCreationTokens: 0, reasoningTokens: 80 },
      },
    },
    {
      file: 'max-tokens.json',
      expected: {
        id: 'msg_01J2vBQXhR8c4Yq9tWmKf3Ln',
        model: 'claude-haiku-4-5-20251001',
        created: ctx.nowSeconds,
        content: [{ type: 'text', text: 'Once upon a time, in a quiet' }],
        finishReason: 'length',
        usage: { promptTokens: 14, completionTokens: 8, cachedTokens: 0, cacheCreationTokens: 0 },
      },
    },
    {
      file: 'usage-cache.json',
      expected: {
        id: 'msg_01CacheHitQ7mZs2Lk9vB4nTx',
        model: 'claude-sonnet-4-5-20250929',
        created: ctx.nowSeconds,
        content: [{ type: 'text', text: "The contract's termination clause requires 30 days' notice." }],
        finishReason: 'stop',
        stopSequence: '\n\nHuman:',
        usage: { promptTokens: 2060, completionTokens: 42, cachedTokens: 1800, cacheCreationTokens: 248 },
      },
    },
  ];
  for (const c of cases) {
    test(`reads ${c.file}`, () => {
      assert.deepEqual(decodeAnthropicChatResponse(fixture(c.file), ctx), c.expected);
    });
  }

  test('skips server-tool blocks and uses ctx.id when the body has no id', () => {
    const res = decodeAnthropicChatResponse(
      { model: 'm', content: [{ type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] }, { type: 'text', text: 'ok' }], stop_reason: 'pause_turn', usage: { input_tokens: 1, output_tokens: 2 } },
      ctx,
    );
    assert.deepEqual(res, { id: 'msg_ctx', model: 'm', created: ctx.nowSeconds, content: [{ type: 'text', text: 'ok' }], finishReason: 'other', usage: { promptTokens: 1, completionTokens: 2 } });
  });

  const malformed: Array<{ name: string; body: unknown }> = [
    { name: 'a body that is not an object', body: 'oops' },
    { name: 'content that is not an array', body: { id: 'x', content: 'hi' } },
    { name: 'a text block without text', body: { content: [{ type: 'text' }] } },
    { name: 'a tool_use block without an id', body: { content: [{ type: 'tool_use', name: 'f', input: {} }] } },
  ];
  for (const c of malformed) {
    test(`throws upstream_error for ${c.name}`, () => {
      assert.throws(() => decodeAnthropicChatResponse(c.body, ctx), (err: unknown) => err instanceof GatewayError && err.code === 'upstream_error');
    });
  }

  test('throws upstream_error keeping the type of an error body', () => {
    assert.throws(
      () => decodeAnthropicChatResponse(fixture('error-overloaded.json'), ctx),
      (err: unknown) => err instanceof GatewayError && err.code === 'upstream_error' && err.upstreamType === 'overloaded_error' && err.message === 'Overloaded',
    );
  });
});

describe('encodeAnthropicChatResponse', () => {
  const res = (over: Partial<ChatResponse>): ChatResponse => ({ id: 'chatcmpl-1', model: 'gpt-4o', created: 1, content: [], finishReason: 'stop', ...over });

  const cases: Array<{ name: string; res: ChatResponse; expected: Record<string, unknown> }> = [
    {
      name: 'writes text and usage, subtracting cached and cache-creation tokens from input_tokens',
      res: res({ content: [{ type: 'text', text: 'Hi' }, { type: 'text', text: '' }], usage: { promptTokens: 100, completionTokens: 7, cachedTokens: 60, cacheCreationTokens: 10, reasoningTokens: 3 } }),
      expected: {
        id: 'chatcmpl-1',
        type: 'message',
        role: 'assistant',
        model: 'gpt-4o',
        content: [{ type: 'text', text: 'Hi' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 30, output_tokens: 7, cache_creation_input_tokens: 10, cache_read_input_tokens: 60 },
      },
    },
    {
      name: 'writes signed reasoning as thinking, redacted as redacted_thinking, and foreign reasoning as thinking with an empty signature',
      res: res({
        content: [
          { type: 'reasoning', text: 'a', signature: 'sig', family: 'anthropic' },
          { type: 'reasoning', text: '', redactedData: 'opaque', family: 'anthropic' },
          { type: 'reasoning', text: 'g', signature: 'gsig', family: 'gemini' },
          { type: 'reasoning', text: 'o' },
          { type: 'reasoning', text: '' },
          { type: 'text', text: 'T' },
        ],
      }),
      expected: {
        id: 'chatcmpl-1',
        type: 'message',
        role: 'assistant',
        model: 'gpt-4o',
        content: [
          { type: 'thinking', thinking: 'a', signature: 'sig' },
          { type: 'redacted_thinking', data: 'opaque' },
          { type: 'thinking', thinking: 'g', signature: '' },
          { type: 'thinking', thinking: 'o', signature: '' },
          { type: 'text', text: 'T' },
        ],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    },
    {
      name: 'writes tool calls as tool_use with parsed input and says tool_use whatever the finish reason',
      res: res({
        content: [
          { type: 'tool-call', id: 'call_1', name: 'f', arguments: '{"a":1}' },
          { type: 'tool-call', id: 'call_2', name: 'g', arguments: '' },
        ],
        finishReason: 'stop',
      }),
      expected: {
        id: 'chatcmpl-1',
        type: 'message',
        role: 'assistant',
        model: 'gpt-4o',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } },
          { type: 'tool_use', id: 'call_2', name: 'g', input: {} },
        ],
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    },
    {
      name: 'writes a matched stop string as stop_sequence',
      res: res({ content: [{ type: 'text', text: 'x' }], stopSequence: 'END' }),
      expected: {
        id: 'chatcmpl-1',
        type: 'message',
        role: 'assistant',
        model: 'gpt-4o',
        content: [{ type: 'text', text: 'x' }],
        stop_reason: 'stop_sequence',
        stop_sequence: 'END',
        usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(encodeAnthropicChatResponse(c.res, ctx), c.expected);
    });
  }

  for (const file of ['text-basic.json', 'tool-parallel.json', 'max-tokens.json', 'usage-cache.json']) {
    test(`round-trips ${file} through the canonical model`, () => {
      const body = fixture(file) as Record<string, unknown>;
      const { usage, ...rest } = body;
      const { cache_creation: _c, service_tier: _s, ...coreUsage } = usage as Record<string, unknown>;
      assert.deepEqual(encodeAnthropicChatResponse(decodeAnthropicChatResponse(body, ctx), ctx), { ...rest, usage: coreUsage });
    });
  }
});
