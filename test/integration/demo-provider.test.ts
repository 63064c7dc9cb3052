import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { startDemoUpstream, type DemoUpstream } from '../../src/cli/demo-upstream.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';

/**
 * The demo provider behind `llmux --demo`, reached through the gateway by each official SDK: it
 * speaks only Chat Completions, and conversion serves every other front door from it.
 */
describe('demo provider through the gateway', () => {
  let demo: DemoUpstream;
  let gw: TestGateway;
  before(async () => {
    demo = await startDemoUpstream();
    gw = await startGateway({
      providers: [
        { name: 'demo', type: 'openai', base_url: demo.baseUrl, api_key: 'demo', models: ['demo', 'demo-slow', 'demo-tools', '*'] },
        { name: 'demo-flaky', type: 'openai', base_url: demo.baseUrl, api_key: 'demo', models: ['demo-fail'] },
      ],
      health_check: { enabled: false },
    });
  });
  after(async () => {
    await gw.close();
    await demo.close();
  });

  const openai = (): OpenAI => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const weather: OpenAI.ChatCompletionTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'] } } };

  test('OpenAI chat: canned text that quotes the question, with usage', async () => {
    const r = await openai().chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'What is llmux?' }] });
    assert.match(r.choices[0]?.message.content ?? '', /llmux demo provider.*"What is llmux\?"/);
    assert.equal(r.choices[0]?.finish_reason, 'stop');
    assert.ok((r.usage?.prompt_tokens ?? 0) > 0 && (r.usage?.completion_tokens ?? 0) > 0);
  });

  test('any model name is answered (clients send their own defaults)', async () => {
    const r = await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    assert.match(r.choices[0]?.message.content ?? '', /model gpt-4o/);
  });

  test('OpenAI stream: several chunks, the same text, and the usage chunk when asked', async () => {
    const stream = await openai().chat.completions.create({ model: 'demo-slow', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream please' }] });
    let text = '';
    let chunks = 0;
    let usage = 0;
    for await (const c of stream) {
      chunks++;
      text += c.choices[0]?.delta.content ?? '';
      if (c.usage) usage = c.usage.completion_tokens;
    }
    assert.ok(chunks > 5, `${chunks} chunks`);
    assert.match(text, /"stream please"/);
    assert.ok(usage > 0);
  });

  test('OpenAI tools: a call to the request\'s tool with its required arguments, then a summary after the result', async () => {
    const r = await openai().chat.completions.create({ model: 'demo', tools: [weather], messages: [{ role: 'user', content: 'weather?' }] });
    const call = r.choices[0]?.message.tool_calls?.[0];
    assert.equal(r.choices[0]?.finish_reason, 'tool_calls');
    assert.ok(call !== undefined && call.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris', days: 1 });
    const next = await openai().chat.completions.create({
      model: 'demo',
      tools: [weather],
      messages: [{ role: 'user', content: 'weather?' }, r.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'sunny' }],
    });
    assert.match(next.choices[0]?.message.content ?? '', /The tool answered/);
  });

  test('Anthropic Messages, streamed, converted from the demo\'s Chat Completions', async () => {
    const client = new Anthropic({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0 });
    const msg = await client.messages.stream({ model: 'claude-demo', max_tokens: 100, messages: [{ role: 'user', content: 'Bonjour' }] }).finalMessage();
    const block = msg.content[0];
    assert.ok(block?.type === 'text');
    assert.match(block.text, /"Bonjour"/);
    assert.equal(msg.stop_reason, 'end_turn');
    const tools = await client.messages.create({ model: 'demo-tools', max_tokens: 100, messages: [{ role: 'user', content: 'use a tool' }] });
    assert.equal(tools.stop_reason, 'tool_use');
    assert.equal(tools.content.find((b) => b.type === 'tool_use')?.type, 'tool_use');
  });

  test('Gemini generateContent and streamGenerateContent', async () => {
    const ai = new GoogleGenAI({ apiKey: 'unused', httpOptions: { baseUrl: gw.url } });
    const r = await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'Ciao' });
    assert.match(r.text ?? '', /"Ciao"/);
    let text = '';
    for await (const c of await ai.models.generateContentStream({ model: 'demo', contents: 'streaming Ciao' })) text += c.text ?? '';
    assert.match(text, /"streaming Ciao"/);
  });

  test('OpenAI Responses, plain and streamed, converted from the demo\'s Chat Completions', async () => {
    const r = await openai().responses.create({ model: 'demo', input: 'Hola' });
    assert.equal(r.status, 'completed');
    assert.match(r.output_text, /"Hola"/);
    let text = '';
    const stream = await openai().responses.create({ model: 'demo', input: 'streaming Hola', stream: true });
    for await (const e of stream) if (e.type === 'response.output_text.delta') text += e.delta;
    assert.match(text, /"streaming Hola"/);
  });

  test('embeddings are deterministic unit vectors', async () => {
    const a = await openai().embeddings.create({ model: 'demo', input: ['same', 'other'] });
    const b = await openai().embeddings.create({ model: 'demo', input: 'same' });
    assert.deepEqual(a.data[0]?.embedding, b.data[0]?.embedding);
    assert.notDeepEqual(a.data[0]?.embedding, a.data[1]?.embedding);
    assert.ok(Math.abs(Math.hypot(...(a.data[0]?.embedding ?? [])) - 1) < 1e-9);
  });

  test('demo-fail fails on its own provider (503 after the retry budget), leaving the main demo up', async () => {
    await assert.rejects(openai().chat.completions.create({ model: 'demo-fail', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.APIError && (e.status ?? 0) >= 500);
    const r = await openai().chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'still up?' }] });
    assert.match(r.choices[0]?.message.content ?? '', /still up/);
  });
});
