import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Usage } from '../core/chat.ts';
import type { ClientProtocol } from '../core/protocol.ts';
import { SseEventSplitter } from '../upstream/sse.ts';
import { codecs } from './registry.ts';
import { createSseParser } from '../upstream/sse.ts';

/**
 * One usage truth: the same upstream answer yields the same canonical Usage whether the gateway
 * converts it (the provider codec's decoders) or passes it through as bytes (the client codec's
 * observer and body reader). Recorded answers, and bodies with the fields only one reader used to know.
 */
const ctx = { id: 'id-1', nowSeconds: 1_763_900_000 };

function fixture(protocol: string, file: string): Buffer {
  return readFileSync(new URL(`../../test/fixtures/${protocol}/${file}`, import.meta.url));
}

/** The last usage event the converted path's stream decoder yields. */
function convertedStreamUsage(protocol: ClientProtocol, bytes: Buffer): Usage | undefined {
  const decoder = codecs[protocol].createStreamDecoder(ctx);
  let usage: Usage | undefined;
  const take = (events: ReturnType<typeof decoder.push>): void => {
    for (const e of events) if (e.type === 'usage') usage = e.usage;
  };
  const parser = createSseParser((record) => take(decoder.push(record)));
  parser.feed(bytes.toString('utf8'));
  parser.end();
  take(decoder.end());
  return usage;
}

/** The pass-through observer's usage, fed the stream split at every `step` bytes. */
function passthroughStreamUsage(protocol: ClientProtocol, bytes: Buffer, step: number): { usage: Usage | undefined; complete: boolean } {
  const observer = codecs[protocol].createPassthroughObserver({ dropUsageChunk: true });
  const splitter = new SseEventSplitter();
  for (let i = 0; i < bytes.length; i += step) for (const e of splitter.push(bytes.subarray(i, i + step))) observer.event(e);
  const rest = splitter.rest();
  if (rest !== undefined) observer.event(rest);
  return { usage: observer.usage, complete: observer.complete };
}

const sse = (events: object[], tail = ''): Buffer => Buffer.from(events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + tail);
const anthropicSse = (events: Array<{ type: string } & Record<string, unknown>>): Buffer => Buffer.from(events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join(''));

describe('usage is the same on the converted and the pass-through path', () => {
  const streams: Array<{ name: string; protocol: ClientProtocol; bytes: Buffer; expected: Usage }> = [
    {
      name: 'OpenAI final usage chunk with cached and reasoning tokens',
      protocol: 'openai',
      bytes: fixture('openai', 'usage-final-chunk.sse'),
      expected: decodeLastOpenAIUsage(fixture('openai', 'usage-final-chunk.sse')),
    },
    {
      name: "DeepSeek's prompt_cache_hit_tokens",
      protocol: 'openai',
      bytes: sse(
        [
          { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'deepseek-chat', choices: [{ index: 0, delta: { role: 'assistant', content: 'hi' }, finish_reason: null }] },
          { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'deepseek-chat', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
          { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'deepseek-chat', choices: [], usage: { prompt_tokens: 100, completion_tokens: 5, total_tokens: 105, prompt_cache_hit_tokens: 64, prompt_cache_miss_tokens: 36 } },
        ],
        'data: [DONE]\n\n',
      ),
      expected: { promptTokens: 100, completionTokens: 5, cachedTokens: 64 },
    },
    {
      name: 'Anthropic cache read and creation (recorded), spread over message_start and message_delta',
      protocol: 'anthropic',
      bytes: fixture('anthropic', 'usage-final-chunk.sse'),
      expected: convertedStreamUsage('anthropic', fixture('anthropic', 'usage-final-chunk.sse')) as Usage,
    },
    {
      name: "Anthropic thinking tokens in message_delta's output_tokens_details",
      protocol: 'anthropic',
      bytes: anthropicSse([
        { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude', content: [], stop_reason: null, usage: { input_tokens: 20, cache_creation_input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 1 } } },
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } },
        { type: 'content_block_stop', index: 0 },
        { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 30, output_tokens_details: { thinking_tokens: 12 } } },
        { type: 'message_stop' },
      ]),
      expected: { promptTokens: 35, completionTokens: 30, cachedTokens: 5, cacheCreationTokens: 10, reasoningTokens: 12 },
    },
    {
      name: 'Gemini running usage with cached content (recorded): the last record counts',
      protocol: 'gemini',
      bytes: fixture('gemini', 'usage-final-chunk.sse'),
      expected: convertedStreamUsage('gemini', fixture('gemini', 'usage-final-chunk.sse')) as Usage,
    },
    {
      name: "Gemini's snake_case usage keys and thoughts",
      protocol: 'gemini',
      bytes: sse([
        { candidates: [{ content: { role: 'model', parts: [{ text: 'a' }] }, index: 0 }], usage_metadata: { prompt_token_count: 9 } },
        { candidates: [{ content: { role: 'model', parts: [{ text: 'b' }] }, finish_reason: 'STOP', index: 0 }], usage_metadata: { prompt_token_count: 9, candidates_token_count: 4, thoughts_token_count: 6, cached_content_token_count: 8 } },
      ]),
      expected: { promptTokens: 9, completionTokens: 10, cachedTokens: 8, reasoningTokens: 6 },
    },
  ];

  for (const c of streams) {
    test(`stream: ${c.name}`, () => {
      const converted = convertedStreamUsage(c.protocol, c.bytes);
      assert.deepEqual(converted, c.expected, 'converted path');
      for (const step of [1, 7, 64, c.bytes.length]) {
        const passed = passthroughStreamUsage(c.protocol, c.bytes, step);
        assert.deepEqual(passed.usage, c.expected, `pass-through path, split every ${step} bytes`);
        assert.equal(passed.complete, true, 'the stream ended properly');
      }
    });
  }

  const bodies: Array<{ name: string; protocol: ClientProtocol; body: Buffer }> = [
    { name: 'OpenAI answer with reasoning tokens (recorded)', protocol: 'openai', body: fixture('openai', 'reasoning.json') },
    { name: 'DeepSeek answer with prompt_cache_hit_tokens', protocol: 'openai', body: Buffer.from(JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'deepseek-chat', choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'stop' }], usage: { prompt_tokens: 50, completion_tokens: 2, total_tokens: 52, prompt_cache_hit_tokens: 32 } })) },
    { name: 'Anthropic answer with cache read and creation (recorded)', protocol: 'anthropic', body: fixture('anthropic', 'usage-cache.json') },
    { name: 'Anthropic answer with thinking tokens', protocol: 'anthropic', body: Buffer.from(JSON.stringify({ id: 'msg', type: 'message', role: 'assistant', model: 'claude', content: [{ type: 'text', text: 'x' }], stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 40, output_tokens_details: { thinking_tokens: 25 } } })) },
    { name: 'Gemini answer with thoughts (recorded)', protocol: 'gemini', body: fixture('gemini', 'reasoning-then-text.json') },
    { name: "Gemini answer with snake_case usage", protocol: 'gemini', body: Buffer.from(JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: 'x' }] }, finish_reason: 'STOP' }], usage_metadata: { prompt_token_count: 7, candidates_token_count: 3, cached_content_token_count: 4 } })) },
  ];

  for (const c of bodies) {
    test(`whole answer: ${c.name}`, () => {
      const converted = codecs[c.protocol].decodeChatResponse(JSON.parse(c.body.toString('utf8')), ctx).usage;
      assert.notEqual(converted, undefined, 'the converted path reads usage');
      assert.deepEqual(codecs[c.protocol].usageFromBody(c.body), converted);
    });
  }
});

function decodeLastOpenAIUsage(bytes: Buffer): Usage {
  const last = bytes.toString('utf8').split('\n').filter((l) => l.startsWith('data: {') && l.includes('"usage":{')).pop() ?? '';
  const u = (JSON.parse(last.slice(6)) as { usage: Record<string, number & Record<string, number>> }).usage;
  const usage: Usage = { promptTokens: u['prompt_tokens'] as number, completionTokens: u['completion_tokens'] as number };
  const cached = (u['prompt_tokens_details'] as unknown as Record<string, number> | undefined)?.['cached_tokens'];
  const reasoning = (u['completion_tokens_details'] as unknown as Record<string, number> | undefined)?.['reasoning_tokens'];
  if (cached !== undefined) usage.cachedTokens = cached;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}
