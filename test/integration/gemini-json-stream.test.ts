import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { geminiCall, startMockGemini } from '../helpers/mock-gemini.ts';
import { replyText, startMockOpenAI, type MockUpstream } from '../helpers/mock-openai.ts';

/** What a Gemini answer's parts say, across every element or event. */
function textOf(answers: Array<{ candidates?: Array<{ content?: { parts?: Array<{ text?: string; thought?: boolean }> } }> }>): string {
  return answers.flatMap((a) => a.candidates?.[0]?.content?.parts ?? []).filter((p) => p.thought !== true).map((p) => p.text ?? '').join('');
}

describe('Gemini streamGenerateContent without alt=sse: one JSON array, as Google answers it', () => {
  let gemini: MockUpstream;
  let openai: MockUpstream;
  let gw: TestGateway;
  before(async () => {
    gemini = await startMockGemini({ name: 'gem', models: ['gemini-2.5-flash'] });
    openai = await startMockOpenAI({ name: 'oai', models: ['gpt-4o-mini'] });
    gw = await startGateway({
      providers: [
        { name: 'gem', type: 'gemini', base_url: gemini.url, api_key: 'g-key', models: ['gemini-2.5-flash'] },
        { name: 'oai', type: 'openai', base_url: `${openai.url}/v1`, api_key: 'o-key', models: ['gpt-4o-mini'] },
      ],
    });
  });
  after(async () => {
    await gw.close();
    await gemini.close();
    await openai.close();
  });

  const ask = (model: string, query = ''): Promise<Response> =>
    fetch(`${gw.url}/v1beta/models/${model}:streamGenerateContent${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Say hello' }] }] }),
    });

  for (const [model, provider] of [['gemini-2.5-flash', 'gem'], ['gpt-4o-mini', 'oai']] as const) {
    test(`from a ${provider === 'gem' ? 'Gemini upstream (pass-through)' : 'converted OpenAI upstream'}`, async () => {
      const res = await ask(model);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      const text = await res.text();
      assert.ok(text.startsWith('[') && text.endsWith(']'), text);
      const elements = JSON.parse(text) as Parameters<typeof textOf>[0];
      assert.ok(elements.length >= 2, 'streamed as several elements');
      assert.equal(textOf(elements), provider === 'gem' ? 'Hello from gem' : replyText('oai'));
      const usage = (elements.at(-1) as { usageMetadata?: { totalTokenCount?: number } }).usageMetadata;
      assert.ok((usage?.totalTokenCount ?? 0) > 0);
    });
  }

  test('the upstream is still asked for SSE, and alt=sse still answers SSE', async () => {
    const res = await ask('gemini-2.5-flash', '?alt=sse');
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = (await res.text()).split(/\r?\n\r?\n/).filter((e) => e.startsWith('data: ')).map((e) => JSON.parse(e.slice(6)) as Parameters<typeof textOf>[0][number]);
    assert.equal(textOf(events), 'Hello from gem');
    assert.ok(gemini.requests.filter((r) => geminiCall(r).method === 'streamGenerateContent').every((r) => geminiCall(r).query === '?alt=sse'));
  });

  test('an error before the stream starts is a plain JSON error, not wrapped in an array', async () => {
    const res = await ask('no-such-model');
    assert.equal(res.status, 404);
    const body = (await res.json()) as { error?: { code?: number; status?: string } };
    assert.equal(body.error?.code, 404);
  });
});
