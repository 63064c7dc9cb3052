import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ChatRequest, ConvertContext, Message, ReasoningConfig } from '../../core/chat.ts';
import { GatewayError } from '../../core/errors.ts';
import type { StreamEvent } from '../../core/stream-events.ts';
import { parseSseText } from '../../upstream/sse.ts';
import type { QwenChatRequest } from './chat-request.ts';
import { qwenCodec as codec } from './codec.ts';

const ctx: ConvertContext = { id: 'ctx0001', nowSeconds: 1_700_000_000 };
const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/qwen/${name}`, import.meta.url), 'utf8');
const text = (role: Message['role'], t: string): Message => ({ role, content: [{ type: 'text', text: t }] });
const encode = (messages: Message[], extra: Partial<ChatRequest> = {}): QwenChatRequest =>
  codec.encodeChatRequest({ model: 'm', stream: false, messages, ...extra }, { upstreamModel: 'qwen3-max' }) as QwenChatRequest;

function decodeStream(sse: string): StreamEvent[] {
  const decoder = codec.createStreamDecoder(ctx);
  const events: StreamEvent[] = [];
  for (const record of parseSseText(sse)) events.push(...decoder.push(record));
  events.push(...decoder.end());
  return events;
}

describe('Qwen web request', () => {
  test('every turn is a linked plain-text message; the upstream always streams incrementally', () => {
    const body = encode([text('system', 'Be brief.'), text('user', 'q1'), text('assistant', 'a1'), text('user', 'q2')]);
    assert.equal(body.model, 'qwen3-max');
    assert.equal(body.stream, true);
    assert.equal(body.incremental_output, true);
    assert.equal(body.chat_mode, 'normal');
    assert.deepEqual(body.messages.map((m) => [m.role, m.content]), [['system', 'Be brief.'], ['user', 'q1'], ['assistant', 'a1'], ['user', 'q2']]);
    body.messages.forEach((m, i) => {
      assert.equal(m.parentId, i === 0 ? null : body.messages[i - 1]?.fid);
      assert.deepEqual(m.childrenIds, i === body.messages.length - 1 ? [] : [body.messages[i + 1]?.fid]);
      assert.deepEqual(m.models, ['qwen3-max']);
      assert.equal(m.chat_type, 't2t');
    });
    assert.equal(new Set(body.messages.map((m) => m.fid)).size, 4);
  });

  const thinking: Array<{ name: string; reasoning: ReasoningConfig | undefined; expected: Record<string, unknown> }> = [
    { name: 'off when not asked', reasoning: undefined, expected: { thinking_enabled: false, output_schema: 'phase' } },
    { name: 'off when turned off', reasoning: { enabled: false }, expected: { thinking_enabled: false, output_schema: 'phase' } },
    { name: 'effort none', reasoning: { effort: 'none' }, expected: { thinking_enabled: false, output_schema: 'phase' } },
    { name: 'effort medium', reasoning: { effort: 'medium' }, expected: { thinking_enabled: true, output_schema: 'phase', thinking_budget: 8192 } },
    { name: 'a budget', reasoning: { budgetTokens: 3000 }, expected: { thinking_enabled: true, output_schema: 'phase', thinking_budget: 3000 } },
    { name: 'on without a budget', reasoning: { enabled: true }, expected: { thinking_enabled: true, output_schema: 'phase', thinking_budget: 38912 } },
  ];
  for (const c of thinking) {
    test(`thinking ${c.name}`, () => {
      const body = encode([text('user', 'x')], c.reasoning === undefined ? {} : { reasoning: c.reasoning });
      assert.deepEqual(body.messages[0]?.feature_config, c.expected);
    });
  }

  test('tools and images are refused with a 400 naming the field', () => {
    assert.throws(() => encode([text('user', 'x')], { tools: [{ name: 'f', parameters: {} }] }), (e: unknown) => e instanceof GatewayError && e.param === 'tools');
    assert.throws(
      () => encode([{ role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AA==' } }] }]),
      (e: unknown) => e instanceof GatewayError && e.param === 'messages[0].content[1]',
    );
  });
});

describe('Qwen web answer', () => {
  const streams: Array<{ file: string; events: StreamEvent[] }> = [
    {
      file: 'thinking-then-answer.sse',
      events: [
        { type: 'start', id: '4b9f0c2e-1d3a-4e6f-8a7b-9c0d1e2f3a4b', model: '', created: ctx.nowSeconds },
        { type: 'reasoning-delta', text: 'The user greets me.' },
        { type: 'reasoning-delta', text: ' Reply briefly.' },
        { type: 'text-delta', text: 'Hi!' },
        { type: 'text-delta', text: ' How can I help?' },
        { type: 'usage', usage: { promptTokens: 12, completionTokens: 14, reasoningTokens: 8 } },
        { type: 'finish', reason: 'stop' },
      ],
    },
    {
      file: 'search-then-answer.sse',
      events: [
        { type: 'start', id: 'r-2', model: '', created: ctx.nowSeconds },
        { type: 'text-delta', text: 'Sunny, 18°C.' },
        { type: 'usage', usage: { promptTokens: 30, completionTokens: 6 } },
        { type: 'finish', reason: 'stop' },
      ],
    },
    {
      file: 'error-mid-stream.sse',
      events: [
        { type: 'start', id: 'r-3', model: '', created: ctx.nowSeconds },
        { type: 'error', status: 429, message: 'Qwen reported an error: You have reached the usage limit. Please try again later.', errorType: 'RateLimited' },
      ],
    },
  ];
  for (const { file, events } of streams) {
    test(`stream ${file}`, () => assert.deepEqual(decodeStream(fixture(file)), events));
  }

  test('a stream that closes before any answer text is an error', () => {
    const events = decodeStream('data: {"response.created":{"response_id":"r"}}\n\ndata: {"choices":[{"delta":{"content":"hmm","phase":"think"}}]}\n\n');
    assert.deepEqual(events.at(-1), { type: 'error', status: 502, message: 'stream ended before completion' });
  });

  test('a non-stream client gets the folded stream: reasoning, then text, then usage', () => {
    const res = codec.decodeChatResponse(fixture('thinking-then-answer.sse'), ctx);
    assert.deepEqual(res.content, [
      { type: 'reasoning', text: 'The user greets me. Reply briefly.' },
      { type: 'text', text: 'Hi! How can I help?' },
    ]);
    assert.deepEqual(res.usage, { promptTokens: 12, completionTokens: 14, reasoningTokens: 8 });
    assert.equal(res.finishReason, 'stop');
  });

  test('Qwen web errors arrive as JSON with HTTP 200 too', () => {
    assert.throws(() => codec.decodeChatResponse(JSON.parse(fixture('error-unauthorized.json')), ctx), (e: unknown) => e instanceof GatewayError && /token has expired/.test(e.message));
    assert.deepEqual(codec.decodeError(401, JSON.parse(fixture('error-unauthorized.json'))), { message: 'You have not logged in or your token has expired', type: 'Unauthorized' });
    assert.deepEqual(codec.decodeError(404, { detail: 'Not Found' }), { message: 'Not Found' });
  });
});
