import { GenerateContentResponse } from '@google/genai';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ChatResponse, ConvertContext } from '../../core/chat.ts';
import { GatewayError } from '../../core/errors.ts';
import { decodeGeminiChatResponse, encodeGeminiChatResponse } from './chat-response.ts';

const ctx: ConvertContext = { id: 'ctx0001', nowSeconds: 1_700_000_000 };
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../test/fixtures/gemini/${name}`, import.meta.url), 'utf8'));

describe('decodeGeminiChatResponse', () => {
  const cases: Array<{ name: string; body: unknown; expected: ChatResponse }> = [
    {
      name: 'reads text, finish reason, usage, responseId and modelVersion (text-basic.json)',
      body: fixture('text-basic.json'),
      expected: {
        id: 'mMlTaZv7Bs2nkdUP5d2xqAk',
        model: 'gemini-2.5-flash',
        created: ctx.nowSeconds,
        content: [{ type: 'text', text: 'The weather in Paris is mild today: 18°C and sunny.' }],
        finishReason: 'stop',
        usage: { promptTokens: 9, completionTokens: 14 },
      },
    },
    {
      name: 'reads parallel calls with synthesised ids and the signature, as tool-calls (tool-parallel.json)',
      body: fixture('tool-parallel.json'),
      expected: {
        id: 'Y8xTafvQKq2hkdUPxtaH4Ao',
        model: 'gemini-2.5-flash',
        created: ctx.nowSeconds,
        content: [
          {
            type: 'tool-call',
            id: 'call_Y8xTafvQKq2hkdUPxtaH4Ao_0',
            name: 'get_weather',
            arguments: '{"location":"Paris","unit":"celsius"}',
            signature: 'CiQBVKhc7oDBXVz1q0rNm7sPaRpXyZ0z4k3mZ0mN0e0Vd9uX1xkKbgFUqFzu',
            family: 'gemini',
          },
          { type: 'tool-call', id: 'call_Y8xTafvQKq2hkdUPxtaH4Ao_1', name: 'get_weather', arguments: '{"location":"Tokyo","unit":"celsius"}' },
        ],
        finishReason: 'tool-calls',
        usage: { promptTokens: 58, completionTokens: 93, reasoningTokens: 52 },
      },
    },
    {
      name: 'reads thoughts as reasoning and keeps a text signature before its text (reasoning-then-text.json)',
      body: fixture('reasoning-then-text.json'),
      expected: {
        id: '2M5TaaXuFJLYkdUPrqLS2QM',
        model: 'gemini-2.5-pro',
        created: ctx.nowSeconds,
        content: [
          { type: 'reasoning', text: '**Recalling the capital**\n\nThe user asks for the capital of France. It is Paris.', family: 'gemini' },
          { type: 'reasoning', text: '', signature: 'EpsCCpgCAdHtim8u2fVgvaJUMz1v2Rc1h0wqtP6J9hPnkJm3XoW0d0o', family: 'gemini' },
          { type: 'text', text: 'The capital of France is Paris.' },
        ],
        finishReason: 'stop',
        usage: { promptTokens: 8, completionTokens: 310, reasoningTokens: 303 },
      },
    },
    {
      name: 'reads a blocked prompt as an empty content-filter answer (prompt-blocked.json)',
      body: fixture('prompt-blocked.json'),
      expected: {
        id: 'x9dTaZ2dC6KxkdUPk7-V2Qs',
        model: 'gemini-2.5-flash',
        created: ctx.nowSeconds,
        content: [],
        finishReason: 'content-filter',
        usage: { promptTokens: 12, completionTokens: 0 },
      },
    },
    {
      name: 'keeps Gemini call ids, falls back to ctx.id and maps MAX_TOKENS',
      body: {
        candidates: [
          {
            content: { role: 'model', parts: [{ text: 'Cut' }, { inlineData: { mimeType: 'image/png', data: 'x' } }] },
            finishReason: 'MAX_TOKENS',
          },
        ],
        usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, cachedContentTokenCount: 1 },
      },
      expected: {
        id: 'ctx0001',
        model: '',
        created: ctx.nowSeconds,
        content: [{ type: 'text', text: 'Cut' }],
        finishReason: 'length',
        usage: { promptTokens: 4, completionTokens: 2, cachedTokens: 1 },
      },
    },
    {
      name: 'maps a safety stop without content to content-filter',
      body: { candidates: [{ finishReason: 'SAFETY', index: 0 }], responseId: 'r' },
      expected: { id: 'r', model: '', created: ctx.nowSeconds, content: [], finishReason: 'content-filter' },
    },
    {
      name: 'keeps ids Gemini gave',
      body: { candidates: [{ content: { parts: [{ functionCall: { id: 'abc', name: 'f', args: { a: 1 } } }] }, finishReason: 'STOP' }] },
      expected: {
        id: 'ctx0001',
        model: '',
        created: ctx.nowSeconds,
        content: [{ type: 'tool-call', id: 'abc', name: 'f', arguments: '{"a":1}' }],
        finishReason: 'tool-calls',
      },
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(decodeGeminiChatResponse(c.body, ctx), c.expected));

  const failures: Array<{ name: string; body: unknown; message: RegExp }> = [
    { name: 'rejects a body that is not an object', body: 'nope', message: /not a JSON object/ },
    { name: 'rejects an answer without candidates or block reason', body: { usageMetadata: {} }, message: /without candidates/ },
    { name: 'surfaces an error body', body: { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } }, message: /Internal error/ },
  ];
  for (const c of failures) {
    test(c.name, () =>
      assert.throws(
        () => decodeGeminiChatResponse(c.body, ctx),
        (err: unknown) => err instanceof GatewayError && err.code === 'upstream_error' && c.message.test(err.message),
      ),
    );
  }
});

describe('encodeGeminiChatResponse', () => {
  test('writes candidates, usage, modelVersion and responseId', () => {
    const res: ChatResponse = {
      id: 'msg_1',
      model: 'claude-sonnet-4-5',
      created: 1,
      content: [
        { type: 'reasoning', text: 'claude thinking', signature: 'a-sig', family: 'anthropic' },
        { type: 'text', text: 'Hello' },
        { type: 'tool-call', id: 'toolu_1', name: 'f', arguments: '{"x":1}' },
      ],
      finishReason: 'tool-calls',
      usage: { promptTokens: 10, completionTokens: 5, cachedTokens: 2, cacheCreationTokens: 3 },
    };
    const body = encodeGeminiChatResponse(res, ctx);
    assert.deepEqual(body, {
      candidates: [
        {
          content: {
            role: 'model',
            parts: [{ text: 'claude thinking', thought: true }, { text: 'Hello' }, { functionCall: { id: 'toolu_1', name: 'f', args: { x: 1 } } }],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      modelVersion: 'claude-sonnet-4-5',
      responseId: 'msg_1',
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15, cachedContentTokenCount: 2 },
    });
    const sdk = Object.assign(new GenerateContentResponse(), body);
    assert.deepEqual(sdk.functionCalls, [{ id: 'toolu_1', name: 'f', args: { x: 1 } }]);
  });

  test('round-trips a Gemini answer with its signatures', () => {
    const body = fixture('reasoning-then-text.json') as Record<string, unknown>;
    const encoded = encodeGeminiChatResponse(decodeGeminiChatResponse(body, ctx), ctx);
    assert.deepEqual(encoded.candidates, body['candidates']);
    const tools = fixture('tool-parallel.json') as Record<string, unknown>;
    const parts = encodeGeminiChatResponse(decodeGeminiChatResponse(tools, ctx), ctx).candidates[0]?.content.parts;
    assert.deepEqual(parts?.[0]?.thoughtSignature, 'CiQBVKhc7oDBXVz1q0rNm7sPaRpXyZ0z4k3mZ0mN0e0Vd9uX1xkKbgFUqFzu');
  });

  test('maps length and content-filter finish reasons', () => {
    const res = (finishReason: ChatResponse['finishReason']): ChatResponse => ({ id: 'i', model: 'm', created: 1, content: [], finishReason });
    assert.equal(encodeGeminiChatResponse(res('length'), ctx).candidates[0]?.finishReason, 'MAX_TOKENS');
    assert.equal(encodeGeminiChatResponse(res('content-filter'), ctx).candidates[0]?.finishReason, 'SAFETY');
  });

  test('refuses tool-call arguments that are not a JSON object as an upstream error', () => {
    const res: ChatResponse = { id: 'i', model: 'm', created: 1, content: [{ type: 'tool-call', id: 'c', name: 'f', arguments: '[1]' }], finishReason: 'tool-calls' };
    assert.throws(() => encodeGeminiChatResponse(res, ctx), (err: unknown) => err instanceof GatewayError && err.code === 'upstream_error');
  });
});
