import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startGateway } from '../helpers/gateway.ts';
import { startMockAnthropic } from '../helpers/mock-anthropic.ts';
import { startMockGemini } from '../helpers/mock-gemini.ts';
import { startMockOpenAI } from '../helpers/mock-openai.ts';

/**
 * What agent clients send that plain SDK calls do not, over real HTTP: sampling hints the target
 * lacks (dropped and named in `x-llmux-dropped-params`), a system message inside `messages`,
 * a nested field removed by a dotted `unset`, and the prompt count in an Anthropic stream's start.
 */

describe('agent-client requests through llmux', () => {
  test('Gemini door -> OpenAI provider: topK (sent by Gemini CLI on every request) is dropped and named, stream and not', async (t) => {
    const upstream = await startMockOpenAI({ name: 'oai' });
    const gw = await startGateway({ providers: [{ name: 'oai', type: 'openai', base_url: `${upstream.url}/v1`, api_key: 'k', models: ['*'] }] });
    t.after(async () => {
      await gw.close();
      await upstream.close();
    });
    const body = { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], generationConfig: { temperature: 1, topP: 0.95, topK: 64 } };
    for (const path of ['/v1beta/models/gpt-4o:generateContent', '/v1beta/models/gpt-4o:streamGenerateContent?alt=sse']) {
      const res = await fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get('x-llmux-dropped-params'), 'top_k');
      await res.text();
      const sent = upstream.requests.at(-1)?.body;
      assert.equal(sent?.['top_k'], undefined);
      assert.equal(sent?.['top_p'], 0.95);
    }
  });

  test('OpenAI door -> Anthropic provider: seed and penalties are dropped and named; n > 1 is still a 400', async (t) => {
    const upstream = await startMockAnthropic({ name: 'ant' });
    const gw = await startGateway({ providers: [{ name: 'ant', type: 'anthropic', base_url: upstream.url, api_key: 'k', models: ['*'] }] });
    t.after(async () => {
      await gw.close();
      await upstream.close();
    });
    const send = (extra: Record<string, unknown>): Promise<Response> =>
      fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'claude-x', messages: [{ role: 'user', content: 'Hi' }], ...extra }) });
    const ok = await send({ seed: 7, presence_penalty: 0.5, frequency_penalty: 0.1 });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('x-llmux-dropped-params'), 'seed, presence_penalty, frequency_penalty');
    const plain = await send({});
    assert.equal(plain.headers.get('x-llmux-dropped-params'), null);
    const refused = await send({ n: 2 });
    assert.equal(refused.status, 400);
    assert.match(((await refused.json()) as { error: { message: string } }).error.message, /\bn\b/);
  });

  test('Anthropic door -> OpenAI provider: a system message inside messages (Claude Code) is kept in place', async (t) => {
    const upstream = await startMockOpenAI({ name: 'oai' });
    const gw = await startGateway({ providers: [{ name: 'oai', type: 'openai', base_url: `${upstream.url}/v1`, api_key: 'k', models: ['*'] }] });
    t.after(async () => {
      await gw.close();
      await upstream.close();
    });
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'deepseek-chat',
        max_tokens: 100,
        system: 'You are an agent.',
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'system', content: [{ type: 'text', text: '# Environment\nlinux' }] },
        ],
      }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const sent = upstream.requests.at(-1)?.body?.['messages'] as Array<{ role: string; content: unknown }>;
    assert.deepEqual(
      sent.map((m) => [m.role, m.content]),
      [
        ['system', 'You are an agent.'],
        ['user', 'Hi'],
        ['system', '# Environment\nlinux'],
      ],
    );
  });

  test('model_rules unset with a dotted path removes a nested field before a pass-through', async (t) => {
    const upstream = await startMockGemini({ name: 'gem' });
    const gw = await startGateway({
      providers: [{ name: 'gem', type: 'gemini', base_url: upstream.url, api_key: 'k', models: ['*'] }],
      model_rules: [{ match_model: 'gemini-*', unset: ['generationConfig.topK'] }],
    });
    t.after(async () => {
      await gw.close();
      await upstream.close();
    });
    const res = await fetch(`${gw.url}/v1beta/models/gemini-2.5-pro:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], generationConfig: { topK: 64, topP: 0.9 } }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(upstream.requests.at(-1)?.body?.['generationConfig'], { topP: 0.9 });
  });

  test('token counts route through a model_rules rename as the calls themselves do (Claude Code counts under its own names)', async (t) => {
    const upstream = await startMockOpenAI({ name: 'oai' });
    const gw = await startGateway({
      providers: [{ name: 'oai', type: 'openai', base_url: `${upstream.url}/v1`, api_key: 'k', models: ['deepseek-chat'] }],
      model_rules: [
        { match_model: 'claude-*', set: { model: 'oai/deepseek-chat' } },
        { match_model: 'gemini-*', set: { model: 'deepseek-chat' } },
      ],
    });
    t.after(async () => {
      await gw.close();
      await upstream.close();
    });
    const post = (path: string, body: unknown): Promise<Response> => fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const anthropic = await post('/v1/messages/count_tokens', { model: 'claude-haiku-4-5-20251001', messages: [{ role: 'user', content: 'Hello there' }] });
    assert.equal(anthropic.status, 200, await anthropic.clone().text());
    assert.ok(((await anthropic.json()) as { input_tokens: number }).input_tokens > 0);
    const gemini = await post('/v1beta/models/gemini-2.5-flash-lite:countTokens', { contents: [{ role: 'user', parts: [{ text: 'Hello there' }] }] });
    assert.equal(gemini.status, 200, await gemini.clone().text());
    assert.ok(((await gemini.json()) as { totalTokens: number }).totalTokens > 0);
    // Without the rule the name is unknown.
    const unknown = await post('/v1/messages/count_tokens', { model: 'gpt-unknown', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(unknown.status, 404);
  });

  test('Anthropic door streaming: message_start carries the Gemini prompt count, or an estimate for OpenAI', async (t) => {
    const gemini = await startMockGemini({ name: 'gem' });
    const openai = await startMockOpenAI({ name: 'oai' });
    const gw = await startGateway({
      providers: [
        { name: 'gem', type: 'gemini', base_url: gemini.url, api_key: 'k', models: ['gemini-2.5-pro'] },
        { name: 'oai', type: 'openai', base_url: `${openai.url}/v1`, api_key: 'k', models: ['gpt-4o'] },
      ],
    });
    t.after(async () => {
      await gw.close();
      await gemini.close();
      await openai.close();
    });
    const startUsage = async (model: string): Promise<Record<string, number>> => {
      const res = await fetch(`${gw.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model, max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'Hello there, how are you today?' }] }),
      });
      const text = await res.text();
      const start = text.split('\n').find((l) => l.startsWith('data: ') && l.includes('"message_start"'));
      assert.ok(start !== undefined, text);
      return (JSON.parse(start.slice(6)) as { message: { usage: Record<string, number> } }).message.usage;
    };
    // The Gemini mock counts 13 prompt tokens in its first chunk.
    assert.equal((await startUsage('gemini-2.5-pro'))['input_tokens'], 13);
    // OpenAI counts only at the end: 3 per message + 31 characters / 3.5, rounded up.
    assert.equal((await startUsage('gpt-4o'))['input_tokens'], 12);
  });
});
