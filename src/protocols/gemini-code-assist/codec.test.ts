import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ChatRequest, ConvertContext } from '../../core/chat.ts';
import type { StreamEvent } from '../../core/stream-events.ts';
import { parseSseText } from '../../upstream/sse.ts';
import { geminiCodeAssistCodec as codec } from './codec.ts';

const ctx: ConvertContext = { id: 'ctx0001', nowSeconds: 1_700_000_000 };
const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/gemini-code-assist/${name}`, import.meta.url), 'utf8');

function decodeStream(text: string): StreamEvent[] {
  const decoder = codec.createStreamDecoder(ctx);
  const events: StreamEvent[] = [];
  for (const record of parseSseText(text)) events.push(...decoder.push(record));
  events.push(...decoder.end());
  return events;
}

describe('Code Assist envelope', () => {
  test('a request is the Gemini body under `request`, the model beside it, the system instruction as a user Content', () => {
    const req: ChatRequest = {
      model: 'gemini-2.5-pro',
      stream: true,
      temperature: 0.2,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      ],
    };
    assert.deepEqual(codec.encodeChatRequest(req, { upstreamModel: 'gemini-2.5-flash' }), {
      model: 'gemini-2.5-flash',
      request: {
        contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
        systemInstruction: { role: 'user', parts: [{ text: 'Be brief.' }] },
        generationConfig: { temperature: 0.2 },
      },
    });
  });

  const streams: Array<{ file: string; events: StreamEvent[] }> = [
    {
      file: 'text-basic.sse',
      events: [
        { type: 'start', id: 'oNB0aIbgH8fZ2PgP3sP-kQk', model: 'gemini-2.5-pro', created: ctx.nowSeconds },
        { type: 'usage', usage: { promptTokens: 7, completionTokens: 0 } },
        { type: 'text-delta', text: 'Paris is' },
        { type: 'text-delta', text: ' the capital of France.' },
        { type: 'usage', usage: { promptTokens: 7, completionTokens: 33, reasoningTokens: 27 } },
        { type: 'finish', reason: 'stop' },
      ],
    },
    {
      // Without a responseId, the traceId names the answer (and the synthesised call ids).
      file: 'tool-call.sse',
      events: [
        { type: 'start', id: 'a1b2c3d4e5f60718', model: 'gemini-2.5-flash', created: ctx.nowSeconds },
        { type: 'usage', usage: { promptTokens: 40, completionTokens: 8 } },
        { type: 'tool-call-start', index: 0, id: 'call_a1b2c3d4e5f60718_0', name: 'get_weather', signature: 'CiIBVKhc7sig', family: 'gemini' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":"Paris"}' },
        { type: 'tool-call-end', index: 0 },
        { type: 'finish', reason: 'tool-calls' },
      ],
    },
  ];
  for (const { file, events } of streams) {
    test(`stream ${file}`, () => assert.deepEqual(decodeStream(fixture(file)), events));
  }

  test('a non-stream answer is unwrapped; traceId names it when the answer has no responseId', () => {
    const res = codec.decodeChatResponse(JSON.parse(fixture('text-basic.json')), ctx);
    assert.equal(res.id, '6e2b0e6a1f0d4c2b');
    assert.equal(res.model, 'gemini-2.5-pro');
    assert.deepEqual(res.content, [{ type: 'text', text: 'Paris is the capital of France.' }]);
    assert.deepEqual(res.usage, { promptTokens: 7, completionTokens: 33, reasoningTokens: 27 });
    assert.equal(res.finishReason, 'stop');
  });

  test('errors are Google RPC errors, retry delay included', () => {
    const err = codec.decodeError(429, JSON.parse(fixture('error-rate-limited.json')));
    assert.equal(err.type, 'RESOURCE_EXHAUSTED');
    assert.equal(err.retryAfter, 41);
    assert.match(err.message, /Quota exceeded/);
  });

  test('an error record inside the stream ends it with an error', () => {
    const events = decodeStream('data: {"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}\n\n');
    assert.deepEqual(events, [{ type: 'error', status: 503, message: 'The model is overloaded.', errorType: 'UNAVAILABLE' }]);
  });
});
