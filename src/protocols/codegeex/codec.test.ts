import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ChatRequest, ConvertContext, Message } from '../../core/chat.ts';
import { GatewayError } from '../../core/errors.ts';
import type { StreamEvent } from '../../core/stream-events.ts';
import { parseSseText } from '../../upstream/sse.ts';
import { codeGeexCodec as codec } from './codec.ts';

const ctx: ConvertContext = { id: 'ctx0001', nowSeconds: 1_700_000_000 };
const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/codegeex/${name}`, import.meta.url), 'utf8');
const text = (role: Message['role'], t: string): Message => ({ role, content: [{ type: 'text', text: t }] });
const req = (messages: Message[], extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'm', stream: false, messages, ...extra });
const encode = (r: ChatRequest): Record<string, unknown> => codec.encodeChatRequest(r, { upstreamModel: 'codegeex-4' }) as Record<string, unknown>;

function decodeStream(sse: string): StreamEvent[] {
  const decoder = codec.createStreamDecoder(ctx);
  const events: StreamEvent[] = [];
  for (const record of parseSseText(sse)) events.push(...decoder.push(record));
  events.push(...decoder.end());
  return events;
}

describe('CodeGeeX request', () => {
  test('sampling knobs the API lacks are left out and named', () => {
    const dropped: string[] = [];
    const body = codec.encodeChatRequest(req([text('user', 'hi')], { temperature: 0.2, topK: 40, maxTokens: 100, stop: [] }), { upstreamModel: 'codegeex-4', dropped }) as Record<string, unknown>;
    assert.deepEqual(dropped, ['max_tokens', 'temperature', 'top_k']);
    assert.equal(JSON.stringify(body).includes('0.2'), false);
  });


  const cases: Array<{ name: string; messages: Message[]; prompt: string; history: Array<[string, string]> }> = [
    { name: 'one question', messages: [text('user', 'hi')], prompt: 'hi', history: [] },
    { name: 'system text goes in front of the prompt', messages: [text('system', 'Answer in Go.'), text('user', 'sort a slice')], prompt: 'Answer in Go.\n\nsort a slice', history: [] },
    {
      name: 'earlier turns are question/answer pairs',
      messages: [text('user', 'q1'), text('assistant', 'a1'), text('user', 'q2'), text('assistant', 'a2'), text('user', 'q3')],
      prompt: 'q3',
      history: [['q1', 'a1'], ['q2', 'a2']],
    },
    { name: 'consecutive user turns are one question', messages: [text('user', 'part 1'), text('user', 'part 2')], prompt: 'part 1\n\npart 2', history: [] },
    { name: 'an answer without a question before it', messages: [text('assistant', 'Hello, how can I help?'), text('user', 'explain this')], prompt: 'explain this', history: [['', 'Hello, how can I help?']] },
    {
      name: 'reasoning from earlier answers is not sent back',
      messages: [text('user', 'q1'), { role: 'assistant', content: [{ type: 'reasoning', text: 'hmm' }, { type: 'text', text: 'a1' }] }, text('user', 'q2')],
      prompt: 'q2',
      history: [['q1', 'a1']],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const body = encode(req(c.messages));
      assert.equal(body['prompt'], c.prompt);
      assert.equal(body['model'], 'codegeex-4');
      const history = body['history'] as Array<{ query: string; answer: string; id: string }>;
      assert.deepEqual(history.map((h) => [h.query, h.answer]), c.history);
      for (const h of history) assert.match(h.id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });
  }

  test('history ids are stable: the same conversation gives the same body', () => {
    const messages = [text('user', 'q1'), text('assistant', 'a1'), text('user', 'q2')];
    assert.deepEqual(encode(req(messages)), encode(req(messages)));
  });

  const refusals: Array<{ name: string; r: ChatRequest; param: string }> = [
    { name: 'tools', r: req([text('user', 'x')], { tools: [{ name: 'f', parameters: { type: 'object' } }] }), param: 'tools' },
    { name: 'images', r: req([{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'https://x/y.png' } }] }]), param: 'messages[0].content[0]' },
    { name: 'tool results', r: req([text('user', 'x'), { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c', content: [] }] }]), param: 'messages[1]' },
    { name: 'n > 1', r: req([text('user', 'x')], { n: 2 }), param: 'n' },
    { name: 'a JSON response format', r: req([text('user', 'x')], { responseFormat: { type: 'json' } }), param: 'response_format' },
    { name: 'a conversation ending with the assistant', r: req([text('user', 'x'), text('assistant', 'y')]), param: 'messages' },
  ];
  for (const c of refusals) {
    test(`refuses ${c.name} with a 400 naming the field`, () => {
      assert.throws(() => encode(c.r), (e: unknown) => e instanceof GatewayError && e.status === 400 && e.param === c.param);
    });
  }
});

describe('CodeGeeX answer', () => {
  const start = (id: string, model = ''): StreamEvent => ({ type: 'start', id, model, created: ctx.nowSeconds });
  const streams: Array<{ file: string; events: StreamEvent[] }> = [
    {
      file: 'text-basic.sse',
      events: [
        start('b1f4c0de-5a8e-4c47-9a35-3c1b7d2f9e10', 'codegeex-4'),
        { type: 'text-delta', text: '你好！' },
        { type: 'text-delta', text: '我是 CodeGeeX，' },
        { type: 'text-delta', text: '有什么可以帮你？' },
        { type: 'finish', reason: 'stop' },
      ],
    },
    {
      file: 'finish-completes.sse',
      events: [start('c0ffee00-0000-4000-8000-000000000001'), { type: 'text-delta', text: 'func main() {' }, { type: 'text-delta', text: '\n}' }, { type: 'finish', reason: 'length' }],
    },
    { file: 'finish-only.sse', events: [start('c0ffee00-0000-4000-8000-000000000002'), { type: 'text-delta', text: 'OK' }, { type: 'finish', reason: 'stop' }] },
    {
      file: 'cut-stream.sse',
      events: [start('c0ffee00-0000-4000-8000-000000000003'), { type: 'text-delta', text: 'Hel' }, { type: 'text-delta', text: 'lo' }, { type: 'error', status: 502, message: 'stream ended before completion' }],
    },
    { file: 'error-event.sse', events: [{ type: 'error', status: 502, message: 'CodeGeeX reported an error: 登录已过期，请重新登录' }] },
  ];
  for (const { file, events } of streams) {
    test(`stream ${file}`, () => assert.deepEqual(decodeStream(fixture(file)), events));
  }

  test('a non-stream client gets the whole answer once, read from the SSE body', () => {
    const res = codec.decodeChatResponse(fixture('text-basic.sse'), ctx);
    assert.deepEqual(res.content, [{ type: 'text', text: '你好！我是 CodeGeeX，有什么可以帮你？' }]);
    assert.equal(res.id, 'b1f4c0de-5a8e-4c47-9a35-3c1b7d2f9e10');
    assert.equal(res.model, 'codegeex-4');
    assert.equal(res.usage, undefined, 'CodeGeeX reports no usage, and none is made up');
  });

  test('a cut SSE body is an error, not a short answer', () => {
    assert.throws(() => codec.decodeChatResponse(fixture('cut-stream.sse'), ctx), (e: unknown) => e instanceof GatewayError && e.status === 502);
  });

  test('a single JSON answer and JSON errors', () => {
    assert.deepEqual(codec.decodeChatResponse({ id: 'x1', text: 'done', finish_reason: 'stop', model: 'codegeex-4' }, ctx).content, [{ type: 'text', text: 'done' }]);
    assert.throws(() => codec.decodeChatResponse({ code: 401, msg: 'token invalid' }, ctx), /token invalid/);
    assert.deepEqual(codec.decodeError(401, { code: 401, msg: 'token invalid' }), { message: 'token invalid' });
    assert.deepEqual(codec.decodeError(502, '<html>Bad Gateway</html>'), { message: '<html>Bad Gateway</html>' });
  });
});
