import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ChatRequest, ConvertContext } from '../../core/chat.ts';
import type { StreamEvent } from '../../core/stream-events.ts';
import { checkResponsesGrammar } from '../../../test/helpers/responses-grammar.ts';
import { createSseParser, serializeSse } from '../../upstream/sse.ts';
import { collectStreamEvents } from '../collect-stream.ts';
import { providerCodec } from '../registry.ts';
import { decodeEnvelope } from './envelope.ts';
import { decodeResponsesRequest } from './request-decode.ts';
import { createResponsesStreamDecoder } from './stream-decode.ts';
import { createResponsesStreamEncoder } from './stream-encode.ts';

const CTX: ConvertContext = { id: 'resp_llmux42', nowSeconds: 1764000000 };
const FIXTURES = new URL('../../../test/fixtures/openai-responses/', import.meta.url);

/** Feeds the bytes through a streaming UTF-8 decoder and the SSE parser, split in two at `at`. */
function decodeBytes(bytes: Buffer, at?: number): StreamEvent[] {
  const decoder = createResponsesStreamDecoder(CTX);
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

function encode(events: StreamEvent[], request?: ChatRequest): string {
  const encoder = createResponsesStreamEncoder(CTX, { model: 'm', ...(request === undefined ? {} : { request }) });
  let out = '';
  for (const ev of events) for (const r of encoder.push(ev)) out += serializeSse(r);
  for (const r of encoder.end()) out += serializeSse(r);
  // end() is idempotent: a second call adds nothing.
  assert.equal(encoder.end().length, 0);
  return out;
}

const start: StreamEvent = { type: 'start', id: 'up-1', model: 'up-model', created: 1764000001 };
const usage: StreamEvent = { type: 'usage', usage: { promptTokens: 10, completionTokens: 5, cachedTokens: 2, reasoningTokens: 1 } };

describe('Responses stream decoder on recorded streams, split at every byte', () => {
  const cases: Array<{ file: string; events: StreamEvent[] }> = [
    {
      file: 'reasoning-text-tool.sse',
      events: [
        { type: 'start', id: 'resp_68af01c2d4e08190a1b2c3d4e5f60718', model: 'gpt-5-2025-08-07', created: 1763901000 },
        { type: 'reasoning-delta', text: '**Checking' },
        { type: 'reasoning-delta', text: ' weather**\n\nThe user' },
        { type: 'reasoning-delta', text: ' wants Paris.' },
        { type: 'reasoning-signature', signature: 'gAAAAABo_encrypted_blob_0001==', family: 'openai', itemId: 'rs_68af01c3a1b08190' },
        { type: 'text-delta', text: 'Let me' },
        { type: 'text-delta', text: ' check ' },
        { type: 'text-delta', text: 'Paris.' },
        { type: 'tool-call-start', index: 0, id: 'call_Qx7fTz2LmN', name: 'get_weather' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city"' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: ':"Pa' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: 'ris"}' },
        { type: 'tool-call-end', index: 0 },
        { type: 'finish', reason: 'tool-calls' },
        { type: 'usage', usage: { promptTokens: 1200, completionTokens: 80, cachedTokens: 1024, reasoningTokens: 40 } },
      ],
    },
    {
      file: 'store-false-done-only.sse',
      events: [
        { type: 'start', id: 'resp_68af01c2d4e08190a1b2c3d4e5f60718', model: 'gpt-5-2025-08-07', created: 1763901000 },
        { type: 'text-delta', text: 'Running ls.' },
        { type: 'tool-call-start', index: 0, id: 'call_cdx02', name: 'shell' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{"command":["ls"]}' },
        { type: 'tool-call-end', index: 0 },
        { type: 'finish', reason: 'tool-calls' },
        { type: 'usage', usage: { promptTokens: 50, completionTokens: 12, cachedTokens: 0, reasoningTokens: 0 } },
      ],
    },
    {
      file: 'incomplete-max-tokens.sse',
      events: [
        { type: 'start', id: 'resp_68af01c2d4e08190a1b2c3d4e5f60718', model: 'gpt-5-2025-08-07', created: 1763901000 },
        { type: 'text-delta', text: 'Once upon' },
        { type: 'finish', reason: 'length' },
        { type: 'usage', usage: { promptTokens: 9, completionTokens: 16, cachedTokens: 0, reasoningTokens: 0 } },
      ],
    },
    {
      file: 'failed-mid-stream.sse',
      events: [
        { type: 'start', id: 'resp_68af01c2d4e08190a1b2c3d4e5f60718', model: 'gpt-5-2025-08-07', created: 1763901000 },
        { type: 'text-delta', text: 'Hel' },
        { type: 'error', status: 502, message: 'The model failed to generate a response.', errorType: 'server_error' },
      ],
    },
    {
      file: 'cut-no-terminal.sse',
      events: [
        { type: 'start', id: 'resp_68af01c2d4e08190a1b2c3d4e5f60718', model: 'gpt-5-2025-08-07', created: 1763901000 },
        { type: 'text-delta', text: 'Hi' },
        { type: 'error', status: 502, message: 'the upstream stream ended before response.completed' },
      ],
    },
  ];
  for (const c of cases) {
    test(c.file, () => {
      const bytes = readFileSync(new URL(c.file, FIXTURES));
      const whole = decodeBytes(bytes);
      assert.deepEqual(whole, c.events);
      for (let at = 1; at < bytes.length; at++) assert.deepEqual(decodeBytes(bytes, at), c.events, `split at byte ${at}`);
      // Re-encoded for a Responses client, every recorded stream keeps the grammar.
      const checked = checkResponsesGrammar(encode(whole));
      const failed = c.events.some((e) => e.type === 'error');
      assert.equal(checked.terminal['type'], failed ? 'response.failed' : c.file.startsWith('incomplete') ? 'response.incomplete' : 'response.completed');
    });
  }

  test('the collected answer keeps the OpenAI reasoning item id with its encrypted content', () => {
    const res = collectStreamEvents(decodeBytes(readFileSync(new URL('reasoning-text-tool.sse', FIXTURES))), CTX);
    assert.deepEqual(res.content[0], { type: 'reasoning', text: '**Checking weather**\n\nThe user wants Paris.', signature: 'gAAAAABo_encrypted_blob_0001==', family: 'openai', itemId: 'rs_68af01c3a1b08190' });
  });
});

describe('Responses stream encoder: the grammar holds on every path', () => {
  const tools = decodeResponsesRequest({
    model: 'm',
    input: 'x',
    include: ['reasoning.encrypted_content'],
    tools: [
      { type: 'function', name: 'shell', parameters: { type: 'object', properties: {} } },
      { type: 'custom', name: 'apply_patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: /.+/' } },
      { type: 'namespace', name: 'mcp__fs', tools: [{ type: 'function', name: 'read', parameters: { type: 'object' } }] },
    ],
  });
  const paths: Array<{ name: string; events: StreamEvent[]; terminal: string; check?: (c: ReturnType<typeof checkResponsesGrammar>) => void }> = [
    {
      name: 'text',
      events: [start, { type: 'text-delta', text: 'Hel' }, { type: 'text-delta', text: 'lo' }, { type: 'finish', reason: 'stop' }, usage],
      terminal: 'response.completed',
      check: (c) => {
        assert.equal(c.text, 'Hello');
        const response = c.terminal['response'] as Record<string, unknown>;
        assert.equal(response['model'], 'up-model');
        assert.deepEqual(response['usage'], { input_tokens: 10, input_tokens_details: { cached_tokens: 2 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 1 }, total_tokens: 15 });
      },
    },
    {
      name: 'Anthropic thinking with its signature, then text',
      events: [start, { type: 'reasoning-delta', text: 'think' }, { type: 'reasoning-signature', signature: 'sig-A', family: 'anthropic' }, { type: 'text-delta', text: 'ok' }, { type: 'finish', reason: 'stop' }],
      terminal: 'response.completed',
      check: (c) => {
        const reasoning = c.done.get(0) as Record<string, unknown>;
        assert.equal(reasoning['type'], 'reasoning');
        assert.deepEqual(reasoning['summary'], [{ type: 'summary_text', text: 'think' }]);
        assert.deepEqual(decodeEnvelope(reasoning['encrypted_content'] as string), { family: 'anthropic', text: 'think', signature: 'sig-A' });
        // Usage is there with zeros even when the upstream reported none.
        assert.deepEqual((c.terminal['response'] as Record<string, unknown>)['usage'], { input_tokens: 0, input_tokens_details: { cached_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 0 });
      },
    },
    {
      name: 'parallel calls, interleaved, one with its arguments whole and one with none',
      events: [
        start,
        { type: 'tool-call-start', index: 0, id: 'call_a', name: 'shell' },
        { type: 'tool-call-start', index: 1, id: 'call_b', name: 'mcp__fs__read' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{"cmd":' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '"ls"}' },
        { type: 'tool-call-end', index: 1 },
        { type: 'tool-call-end', index: 0 },
        { type: 'tool-call-start', index: 2, id: 'call_c', name: 'shell', signature: 'g-sig', family: 'gemini' },
        { type: 'tool-call-delta', index: 2, argumentsDelta: '{"cmd":"pwd"}' },
        { type: 'tool-call-end', index: 2 },
        { type: 'finish', reason: 'tool-calls' },
      ],
      terminal: 'response.completed',
      check: (c) => {
        const items = [...c.done.entries()].sort((a, b) => a[0] - b[0]).map(([, i]) => i);
        assert.deepEqual(items.map((i) => i['type']), ['function_call', 'function_call', 'reasoning', 'function_call']);
        assert.equal(items[0]?.['arguments'], '{"cmd":"ls"}');
        assert.deepEqual([items[1]?.['name'], items[1]?.['namespace'], items[1]?.['arguments']], ['read', 'mcp__fs', '{}']);
        assert.deepEqual(decodeEnvelope(items[2]?.['encrypted_content'] as string), { family: 'gemini', signature: 'g-sig', callId: 'call_c' });
        // Every call got at least one arguments delta.
        for (const item of items.filter((i) => i['type'] === 'function_call')) {
          assert.ok(c.events.some((e) => e['type'] === 'response.function_call_arguments.delta' && e['item_id'] === item['id']), `delta for ${String(item['call_id'])}`);
        }
      },
    },
    {
      name: 'a freeform tool call comes back as custom_tool_call with its raw input',
      events: [start, { type: 'tool-call-start', index: 0, id: 'call_p', name: 'apply_patch' }, { type: 'tool-call-delta', index: 0, argumentsDelta: '{"input":"*** Begin Patch\\n"}' }, { type: 'tool-call-end', index: 0 }, { type: 'finish', reason: 'tool-calls' }],
      terminal: 'response.completed',
      check: (c) => {
        assert.deepEqual(c.done.get(0), { type: 'custom_tool_call', id: 'ctc_llmux42_0', call_id: 'call_p', name: 'apply_patch', input: '*** Begin Patch\n', status: 'completed' });
        assert.ok(c.events.some((e) => e['type'] === 'response.custom_tool_call_input.done' && e['input'] === '*** Begin Patch\n'));
      },
    },
    { name: 'max tokens', events: [start, { type: 'text-delta', text: 'x' }, { type: 'finish', reason: 'length' }], terminal: 'response.incomplete', check: (c) => assert.deepEqual((c.terminal['response'] as Record<string, unknown>)['incomplete_details'], { reason: 'max_output_tokens' }) },
    { name: 'failure before any output', events: [{ type: 'error', status: 429, message: 'slow down, try again in 3s' }], terminal: 'response.failed', check: (c) => assert.deepEqual((c.terminal['response'] as Record<string, unknown>)['error'], { code: 'rate_limit_exceeded', message: 'slow down, try again in 3s' }) },
    { name: 'failure mid-text', events: [start, { type: 'text-delta', text: 'Hel' }, { type: 'error', status: 502, message: 'cut' }], terminal: 'response.failed', check: (c) => assert.equal((c.done.get(0) as Record<string, unknown>)['status'], 'incomplete') },
    {
      name: 'cut mid-arguments (no finish): the half call is never announced done',
      events: [start, { type: 'tool-call-start', index: 0, id: 'call_x', name: 'shell' }, { type: 'tool-call-delta', index: 0, argumentsDelta: '{"cm' }],
      terminal: 'response.failed',
      check: (c) => assert.equal(c.done.size, 0),
    },
    { name: 'cut mid-text (no finish)', events: [start, { type: 'text-delta', text: 'Hel' }], terminal: 'response.failed' },
  ];
  for (const p of paths) {
    test(p.name, () => {
      const checked = checkResponsesGrammar(encode(p.events, tools));
      assert.equal(checked.terminal['type'], p.terminal);
      p.check?.(checked);
    });
  }

  test('events after the terminal one are ignored', () => {
    const encoder = createResponsesStreamEncoder(CTX, { model: 'm' });
    encoder.push({ type: 'error', status: 502, message: 'x' });
    assert.deepEqual(encoder.push({ type: 'text-delta', text: 'late' }), []);
    assert.deepEqual(encoder.end(), []);
  });
});

describe('every recorded upstream stream, converted for a Responses client, keeps the grammar', () => {
  const upstreams: Array<{ folder: string; protocol: 'openai' | 'anthropic' | 'gemini' }> = [
    { folder: 'openai', protocol: 'openai' },
    { folder: 'anthropic', protocol: 'anthropic' },
    { folder: 'gemini', protocol: 'gemini' },
  ];
  for (const { folder, protocol } of upstreams) {
    const dir = new URL(`../../../test/fixtures/${folder}/`, import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.sse'))) {
      test(`${folder}/${file}`, () => {
        const text = readFileSync(new URL(file, dir), 'utf8');
        const decoder = providerCodec(protocol).createStreamDecoder(CTX);
        const encoder = createResponsesStreamEncoder(CTX, { model: 'm' });
        let out = '';
        let events = 0;
        const parser = createSseParser((record) => {
          for (const ev of decoder.push(record)) {
            events++;
            for (const r of encoder.push(ev)) out += serializeSse(r);
          }
        });
        parser.feed(text);
        parser.end();
        for (const ev of decoder.end()) for (const r of encoder.push(ev)) out += serializeSse(r);
        for (const r of encoder.end()) out += serializeSse(r);
        assert.ok(events > 0);
        const checked = checkResponsesGrammar(out);
        // An upstream that failed or broke off is a failed response; a finished one is not.
        const failed = /error|malformed|done-without-finish/.test(file) && checked.terminal['type'] === 'response.failed';
        assert.ok(failed || checked.terminal['type'] !== 'response.failed', `${file}: ${String(checked.terminal['type'])}`);
      });
    }
  }
});
