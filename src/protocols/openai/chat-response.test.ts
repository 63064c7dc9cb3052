import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ChatResponse, ConvertContext } from '../../core/chat.ts';
import { GatewayError } from '../../core/errors.ts';
import { decodeOpenAIChatResponse, encodeOpenAIChatResponse } from './chat-response.ts';

const CTX: ConvertContext = { id: 'chatcmpl-llmux42', nowSeconds: 1764000000 };
const FIXTURES = new URL('../../../test/fixtures/openai/', import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

describe('decodeOpenAIChatResponse', () => {
  const cases: Array<{ name: string; body: unknown; expected: ChatResponse }> = [
    {
      name: 'reads a text answer with its usage (text-basic.json)',
      body: fixture('text-basic.json'),
      expected: {
        id: 'chatcmpl-CfR8kH3mQ7vZ2xLp9Nw4Tc1Yb6Rs',
        model: 'gpt-4o-mini-2024-07-18',
        created: 1763901042,
        content: [{ type: 'text', text: 'Hello! How can I help you today?' }],
        finishReason: 'stop',
        usage: { promptTokens: 19, completionTokens: 9, cachedTokens: 0, reasoningTokens: 0 },
      },
    },
    {
      name: 'reads parallel tool calls (tool-parallel.json)',
      body: fixture('tool-parallel.json'),
      expected: {
        id: 'chatcmpl-CfR9nB5wE2qX8kLs1Vz7Hd4Pm0Ty',
        model: 'gpt-4.1-2025-04-14',
        created: 1763901105,
        content: [
          { type: 'tool-call', id: 'call_7QbF2dX9mLr4KzWc1pVt8sNa', name: 'get_weather', arguments: '{"location": "Paris, France"}' },
          { type: 'tool-call', id: 'call_Hn3YeR6wQpZ0tJ2mBv5Lc8Ks', name: 'get_weather', arguments: '{"location": "Tokyo, Japan"}' },
        ],
        finishReason: 'tool-calls',
        usage: { promptTokens: 82, completionTokens: 51, cachedTokens: 0, reasoningTokens: 0 },
      },
    },
    {
      name: 'reads reasoning_content and reasoning tokens (reasoning.json)',
      body: fixture('reasoning.json'),
      expected: {
        id: 'a41d6c2e-9f07-4b3a-8e15-7c2d9b0f6e48',
        model: 'deepseek-reasoner',
        created: 1763901166,
        content: [
          { type: 'reasoning', text: 'Compare tenths: 1 < 9, so 9.9 is larger.' },
          { type: 'text', text: '9.9 is larger than 9.11.' },
        ],
        finishReason: 'stop',
        usage: { promptTokens: 18, completionTokens: 96, cachedTokens: 0, reasoningTokens: 81 },
      },
    },
    {
      name: 'reads a Gemini thought signature from extra_content (tool-gemini-signature.json)',
      body: fixture('tool-gemini-signature.json'),
      expected: {
        id: 'MqoiaK7sB4Hv2e8PnL5x1Dc',
        model: 'gemini-2.5-flash',
        created: 1763901230,
        content: [
          {
            type: 'tool-call',
            id: 'function-call-13218749104832167301',
            name: 'get_weather',
            arguments: '{"location":"Paris"}',
            signature: 'CsYBAY89a1+Zk3Qe0Wv4Lr7Xn2Pt5Ym8Hb1Jc6Fd9Ag==',
            family: 'gemini',
          },
        ],
        finishReason: 'tool-calls',
        usage: { promptTokens: 64, completionTokens: 81, reasoningTokens: 64 },
      },
    },
    {
      name: 'reads `reasoning`, DeepSeek cache hits, a missing id and object arguments, and calls win over finish_reason',
      body: {
        model: 'r1',
        choices: [
          {
            message: {
              content: '',
              reasoning: 'hmm',
              tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }, { id: 'c2', function: { name: 'g' } }],
            },
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 10, completion_tokens: 2, prompt_cache_hit_tokens: 6 },
      },
      expected: {
        id: 'chatcmpl-llmux42',
        model: 'r1',
        created: 1764000000,
        content: [
          { type: 'reasoning', text: 'hmm' },
          { type: 'tool-call', id: 'call_llmux42_0', name: 'f', arguments: '{"a":1}' },
          { type: 'tool-call', id: 'c2', name: 'g', arguments: '{}' },
        ],
        finishReason: 'tool-calls',
        usage: { promptTokens: 10, completionTokens: 2, cachedTokens: 6 },
      },
    },
    {
      name: 'reads reasoning_details text, the llmux signature extension, and a refusal',
      body: {
        id: 'x',
        model: 'm',
        created: 5,
        choices: [
          {
            message: {
              content: null,
              refusal: 'I cannot help with that.',
              reasoning_details: [{ type: 'reasoning.text', text: 'a' }, { type: 'reasoning.summary', summary: 'b' }],
              reasoning_signature: 'EqQB',
            },
            finish_reason: 'content_filter',
          },
        ],
      },
      expected: {
        id: 'x',
        model: 'm',
        created: 5,
        content: [
          { type: 'reasoning', text: 'ab', signature: 'EqQB', family: 'anthropic' },
          { type: 'text', text: 'I cannot help with that.' },
        ],
        finishReason: 'content-filter',
      },
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(decodeOpenAIChatResponse(c.body, CTX), c.expected));

  const malformed: Array<[string, unknown]> = [
    ['a string body', 'oops'],
    ['no choices', { id: 'x', choices: [] }],
    ['a choice without message', { choices: [{ index: 0 }] }],
    ['a tool call without name', { choices: [{ message: { tool_calls: [{ id: 'c', function: {} }] } }] }],
  ];
  for (const [name, body] of malformed) {
    test(`reports ${name} as an upstream error`, () => {
      assert.throws(
        () => decodeOpenAIChatResponse(body, CTX),
        (err: unknown) => err instanceof GatewayError && err.code === 'upstream_error' && err.status === 502,
      );
    });
  }
});

describe('encodeOpenAIChatResponse', () => {
  test('writes a chat.completion with reasoning, signature, tool calls and usage', () => {
    const res: ChatResponse = {
      id: 'msg_01',
      model: 'claude-sonnet-4-5',
      created: 1764000000,
      content: [
        { type: 'reasoning', text: 'First, ', signature: 'old', family: 'anthropic' },
        { type: 'reasoning', text: 'think.', signature: 'EqQB', family: 'anthropic' },
        { type: 'reasoning', text: '', redactedData: 'opaque' },
        { type: 'text', text: 'Calling.' },
        { type: 'tool-call', id: 'toolu_1', name: 'f', arguments: '{"x":1}' },
        { type: 'tool-call', id: 'call_2', name: 'g', arguments: '', signature: 'gsig', family: 'gemini' },
      ],
      finishReason: 'tool-calls',
      usage: { promptTokens: 120, completionTokens: 30, cachedTokens: 100, cacheCreationTokens: 10 },
    };
    assert.deepEqual(encodeOpenAIChatResponse(res, CTX), {
      id: 'msg_01',
      object: 'chat.completion',
      created: 1764000000,
      model: 'claude-sonnet-4-5',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Calling.',
            refusal: null,
            reasoning_content: 'First, think.',
            reasoning_signature: 'EqQB',
            tool_calls: [
              { id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '{"x":1}' } },
              { id: 'call_2', type: 'function', function: { name: 'g', arguments: '{}' }, extra_content: { google: { thought_signature: 'gsig' } } },
            ],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150, prompt_tokens_details: { cached_tokens: 100 } },
    });
  });

  test('writes null content for a tool-only answer and reports tool_calls whatever the reason', () => {
    const body = encodeOpenAIChatResponse(
      { id: 'a', model: 'm', created: 1, content: [{ type: 'tool-call', id: 'c', name: 'f', arguments: '{}' }], finishReason: 'stop' },
      CTX,
    );
    assert.equal(body.choices[0]?.message.content, null);
    assert.equal(body.choices[0]?.finish_reason, 'tool_calls');
  });

  test('leaves out a Gemini reasoning signature, which cannot be replayed from reasoning_signature', () => {
    const body = encodeOpenAIChatResponse(
      { id: 'a', model: 'm', created: 1, content: [{ type: 'reasoning', text: 't', signature: 's', family: 'gemini' }, { type: 'text', text: 'x' }], finishReason: 'length' },
      CTX,
    );
    assert.deepEqual(body.choices[0]?.message, { role: 'assistant', content: 'x', refusal: null, reasoning_content: 't' });
    assert.equal(body.choices[0]?.finish_reason, 'length');
    assert.equal(body.usage, undefined);
  });

  test('round-trips through the decoder', () => {
    const res: ChatResponse = {
      id: 'chatcmpl-1',
      model: 'm',
      created: 9,
      content: [
        { type: 'reasoning', text: 'r', signature: 'sig', family: 'anthropic' },
        { type: 'text', text: 'hi' },
        { type: 'tool-call', id: 'c', name: 'f', arguments: '{}', signature: 'g', family: 'gemini' },
      ],
      finishReason: 'tool-calls',
      usage: { promptTokens: 3, completionTokens: 4, cachedTokens: 1, reasoningTokens: 2 },
    };
    assert.deepEqual(decodeOpenAIChatResponse(encodeOpenAIChatResponse(res, CTX), CTX), res);
  });
});
