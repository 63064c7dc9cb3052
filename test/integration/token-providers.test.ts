import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { parse as parseJsonc } from 'jsonc-parser';
import OpenAI from 'openai';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { CA_TEXT, CA_USAGE, DISCOVERED_PROJECT, ONBOARDED_PROJECT, startMockCodeAssist, type CodeAssistMock } from '../helpers/mock-code-assist.ts';
import { CODEGEEX_MODELS, codeGeexAnswer, startMockCodeGeeX } from '../helpers/mock-codegeex.ts';
import type { MockUpstream, RecordedRequest } from '../helpers/mock-openai.ts';
import { QWEN_ANSWER, QWEN_MODELS, QWEN_THOUGHT, QWEN_USAGE, startMockQwen } from '../helpers/mock-qwen.ts';

/**
 * The token providers of seed 003 (CodeGeeX, Qwen web) and Gemini through Code Assist with the
 * Gemini CLI's OAuth credentials, driven through the gateway by the official OpenAI SDK against
 * mocks that speak their wire formats.
 */

const CODEGEEX_TOKEN = 'cgx-plugin-token-0123456789';
const QWEN_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.qwen-session.sig';
const REFRESH = '1//refresh-token-gemini-cli-abcdef';

const collect = async (stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>): Promise<OpenAI.Chat.Completions.ChatCompletionChunk[]> => {
  const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
};
const contentOf = (chunks: OpenAI.Chat.Completions.ChatCompletionChunk[]): string => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
const reasoningOf = (chunks: OpenAI.Chat.Completions.ChatCompletionChunk[]): string =>
  chunks.map((c) => (c.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '').join('');
const chatCalls = (mock: { requests: RecordedRequest[] }, method: string): RecordedRequest[] => mock.requests.filter((r) => r.path.startsWith(`/v1internal:${method}`));

describe('codegeex and qwen (seed 003 web tokens)', () => {
  let codegeex: MockUpstream;
  let qwen: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    codegeex = await startMockCodeGeeX({ token: CODEGEEX_TOKEN });
    qwen = await startMockQwen({ token: QWEN_TOKEN });
    gw = await startGateway({
      routing: { mode: 'prefix' },
      providers: [
        { name: 'codegeex', type: 'codegeex', base_url: codegeex.url, token: CODEGEEX_TOKEN, user_id: 'user-1', user_role: 1, ide: 'vscode', ide_version: '1.0.0', plugin_version: '1.0.0', machine_id: 'machine-1', locale: 'zh-CN' },
        { name: 'qwen', type: 'qwen', base_url: qwen.url, token: QWEN_TOKEN },
      ],
    });
    client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await gw.close();
    await codegeex.close();
    await qwen.close();
  });

  test('the models each provider lists appear in /v1/models under its name', async () => {
    const ids = (await client.models.list()).data.map((m) => m.id).sort();
    assert.deepEqual(ids, [...CODEGEEX_MODELS.map((m) => `codegeex/${m}`), ...QWEN_MODELS.map((m) => `qwen/${m}`)].sort());
    const models = codegeex.requests.find((r) => r.path === '/prod/v3/chat/model');
    assert.equal(models?.headers['code-token'], CODEGEEX_TOKEN);
  });

  test('codegeex, non-stream: last user message as prompt, earlier pairs as history, identity from the config', async () => {
    const before = codegeex.requests.length;
    const res = await client.chat.completions.create({
      model: 'codegeex/codegeex-4',
      messages: [
        { role: 'system', content: 'You write Go.' },
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        { role: 'user', content: 'second question' },
      ],
    });
    const sent = codegeex.requests.slice(before).find((r) => r.path === '/prod/code/chatCodeSseV3/chat');
    assert.ok(sent?.body);
    const prompt = 'You write Go.\n\nsecond question';
    assert.equal(sent.body['prompt'], prompt);
    assert.deepEqual((sent.body['history'] as Array<Record<string, unknown>>).map((h) => [h['query'], h['answer']]), [['first question', 'first answer']]);
    assert.equal(sent.body['model'], 'codegeex-4');
    assert.equal(sent.body['user_id'], 'user-1');
    assert.equal(sent.body['user_role'], 1);
    assert.equal(sent.body['machineId'], 'machine-1');
    assert.match(String(sent.body['talkId']), /^[0-9a-f-]{36}$/);
    assert.equal(sent.headers['code-token'], CODEGEEX_TOKEN);
    // The finish event repeats the whole answer: it must be there once, not twice.
    assert.equal(res.choices[0]?.message.content, codeGeexAnswer(prompt));
    assert.equal(res.choices[0]?.finish_reason, 'stop');
    assert.equal(res.model, 'codegeex-4');
  });

  test('codegeex, stream: the add deltas, the finish event adds nothing twice, [DONE]', async () => {
    const stream = await client.chat.completions.create({ model: 'codegeex/codegeex-pro', stream: true, messages: [{ role: 'user', content: 'hi there' }] });
    const chunks = await collect(stream);
    assert.equal(contentOf(chunks), codeGeexAnswer('hi there'));
    assert.ok(chunks.filter((c) => (c.choices[0]?.delta.content ?? '') !== '').length >= 3, 'each add event is its own chunk');
    assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, 'stop');
  });

  test('codegeex: what it cannot take (tools, images) is a 400 naming the field', async () => {
    await assert.rejects(
      client.chat.completions.create({
        model: 'codegeex/codegeex-4',
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === 'tools',
    );
  });

  test('qwen, non-stream with reasoning: a chat is opened, thinking becomes reasoning_content, usage from the last frame', async () => {
    const before = qwen.requests.length;
    const res = await client.chat.completions.create({
      model: 'qwen/qwen3-max',
      reasoning_effort: 'low',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello?' },
      ],
    });
    const calls = qwen.requests.slice(before);
    assert.deepEqual(calls.map((r) => r.path.replace(/chat_id=[^&]+/, 'chat_id=*')), ['/api/v2/chats/new', '/api/v2/chat/completions?chat_id=*']);
    assert.deepEqual(calls[0]?.body?.['models'], ['qwen3-max']);
    const body = calls[1]?.body ?? {};
    assert.equal(body['model'], 'qwen3-max');
    assert.equal(body['stream'], true);
    assert.equal(typeof body['timestamp'], 'number');
    const messages = body['messages'] as Array<Record<string, unknown>>;
    assert.deepEqual(messages.map((m) => [m['role'], m['content']]), [['system', 'Be brief.'], ['user', 'hello?']]);
    assert.equal(messages[1]?.['parentId'], messages[0]?.['fid']);
    assert.deepEqual(messages[1]?.['feature_config'], { thinking_enabled: true, output_schema: 'phase', thinking_budget: 1024 });
    assert.equal(calls[1]?.headers['authorization'], `Bearer ${QWEN_TOKEN}`);

    const message = res.choices[0]?.message as OpenAI.Chat.Completions.ChatCompletionMessage & { reasoning_content?: string };
    assert.equal(message.content, QWEN_ANSWER.join(''));
    assert.equal(message.reasoning_content, QWEN_THOUGHT.join(''));
    assert.equal(res.choices[0]?.finish_reason, 'stop');
    assert.equal(res.usage?.prompt_tokens, QWEN_USAGE.input_tokens);
    assert.equal(res.usage?.completion_tokens, QWEN_USAGE.output_tokens);
    assert.equal(res.usage?.completion_tokens_details?.reasoning_tokens, QWEN_USAGE.output_tokens_details.reasoning_tokens);
    assert.equal(res.model, 'qwen3-max');
  });

  test('qwen, stream: answer deltas as content, thinking off unless asked, usage chunk when asked for', async () => {
    const before = qwen.requests.length;
    const stream = await client.chat.completions.create({ model: 'qwen/qwen3-coder-plus', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    const chunks = await collect(stream);
    assert.equal(contentOf(chunks), QWEN_ANSWER.join(''));
    assert.equal(reasoningOf(chunks), '');
    const sent = qwen.requests.slice(before).find((r) => r.path.startsWith('/api/v2/chat/completions'));
    assert.equal(((sent?.body?.['messages'] as Array<Record<string, unknown>>)[0]?.['feature_config'] as Record<string, unknown>)['thinking_enabled'], false);
    assert.equal(chunks.find((c) => c.choices[0]?.finish_reason !== undefined && c.choices[0]?.finish_reason !== null)?.choices[0]?.finish_reason, 'stop');
    const usage = chunks.at(-1)?.usage;
    assert.equal(usage?.prompt_tokens, QWEN_USAGE.input_tokens);
    assert.equal(usage?.completion_tokens, QWEN_USAGE.output_tokens);
  });

  test('qwen, stream with thinking: reasoning deltas first, then content', async () => {
    const stream = await client.chat.completions.create({ model: 'qwen/qwen3-max', stream: true, reasoning_effort: 'high', messages: [{ role: 'user', content: 'think' }] });
    const chunks = await collect(stream);
    assert.equal(reasoningOf(chunks), QWEN_THOUGHT.join(''));
    assert.equal(contentOf(chunks), QWEN_ANSWER.join(''));
    const firstContent = chunks.findIndex((c) => (c.choices[0]?.delta.content ?? '') !== '');
    const lastReasoning = chunks.findLastIndex((c) => ((c.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '') !== '');
    assert.ok(lastReasoning < firstContent);
  });

  test('any client protocol reaches them: an Anthropic client streaming from Qwen, a Gemini client asking CodeGeeX', async () => {
    const anthropic = new Anthropic({ apiKey: 'x', baseURL: gw.url, maxRetries: 0 });
    const message = await anthropic.messages
      .stream({ model: 'qwen/qwen3-max', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage();
    const texts = message.content.filter((b) => b.type === 'text').map((b) => b.text);
    assert.deepEqual(texts, [QWEN_ANSWER.join('')]);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.usage.output_tokens, QWEN_USAGE.output_tokens);

    const gemini = new GoogleGenAI({ apiKey: 'x', httpOptions: { baseUrl: gw.url } });
    const res = await gemini.models.generateContent({ model: 'codegeex/codegeex-4', contents: 'what is 1+1?' });
    assert.equal(res.text, codeGeexAnswer('what is 1+1?'));
    assert.equal(res.candidates?.[0]?.finishReason, 'STOP');
  });

  test('a rejected web token is a 502 naming the provider, without the token', async () => {
    const other = await startGateway({ routing: { mode: 'prefix' }, providers: [{ name: 'qwen-bad', type: 'qwen', base_url: qwen.url, token: 'wrong-token-123456', models: ['qwen3-max'] }] });
    try {
      const c = new OpenAI({ apiKey: 'x', baseURL: `${other.url}/v1`, maxRetries: 0 });
      await assert.rejects(c.chat.completions.create({ model: 'qwen-bad/qwen3-max', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
        assert.ok(e instanceof OpenAI.APIError);
        assert.equal(e.status, 502);
        assert.match(e.message, /qwen-bad/);
        assert.doesNotMatch(e.message, /wrong-token/);
        return true;
      });
      assert.doesNotMatch(other.logText(), /wrong-token-123456/);
    } finally {
      await other.close();
    }
  });
});

describe('gemini-cli (Code Assist with the Gemini CLI OAuth credentials)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmux-gemini-cli-'));
  let n = 0;
  /** A credentials file as the Gemini CLI writes it, plus a field llmux does not know. */
  const credsFile = (accessToken: string, expiryDate: number): string => {
    const file = join(dir, `oauth_creds_${++n}.json`);
    const creds = {
      access_token: accessToken,
      refresh_token: REFRESH,
      scope: 'https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email openid',
      token_type: 'Bearer',
      id_token: 'old-id-token',
      expiry_date: expiryDate,
      x_unknown_field: { kept: true, list: [1, 2] },
    };
    writeFileSync(file, JSON.stringify(creds, null, 2), { mode: 0o644 });
    return file;
  };
  const provider = (mock: CodeAssistMock, name: string, extra: Record<string, unknown>): Record<string, unknown> => ({
    name,
    type: 'gemini-cli',
    base_url: mock.url,
    oauth_token_url: `${mock.url}/token`,
    ...extra,
  });

  test('an expired token is refreshed before the call and the file rewritten in place, every other field kept; stream and non-stream', async () => {
    const mock = await startMockCodeAssist({ refreshToken: REFRESH, project: DISCOVERED_PROJECT });
    const file = credsFile('ya29.expired-token', Date.now() - 60_000);
    const gw = await startGateway({ providers: [provider(mock, 'gcli', { oauth_creds_file: file })] });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 });
      assert.deepEqual((await client.models.list()).data.map((m) => m.id).sort(), ['gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.5-pro']);

      const res = await client.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'Hi' }] });
      assert.equal(res.choices[0]?.message.content, CA_TEXT.join(''));
      assert.equal(res.choices[0]?.finish_reason, 'stop');
      assert.equal(res.usage?.prompt_tokens, CA_USAGE.promptTokenCount);
      assert.equal(res.usage?.completion_tokens, CA_USAGE.candidatesTokenCount);
      assert.match(res.id, /^trace-/, 'the traceId is the answer id, as the Gemini CLI reads it');

      assert.equal(mock.tokenRequests.length, 1, 'one refresh');
      assert.equal(mock.tokenRequests[0]?.['refresh_token'], REFRESH);
      assert.equal(mock.tokenRequests[0]?.['grant_type'], 'refresh_token');
      const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      assert.match(String(written['access_token']), /^ya29\.fresh-1-/);
      assert.equal(typeof written['expiry_date'], 'number');
      const expiry = written['expiry_date'] as number;
      assert.ok(expiry > Date.now() + 50 * 60_000 && expiry < Date.now() + 61 * 60_000, `expiry_date in ms, about an hour ahead (${expiry})`);
      assert.equal(written['refresh_token'], REFRESH);
      assert.equal(written['token_type'], 'Bearer');
      assert.equal(written['scope'], 'https://www.googleapis.com/auth/cloud-platform');
      assert.equal(written['id_token'], 'id-token-1');
      assert.deepEqual(written['x_unknown_field'], { kept: true, list: [1, 2] });
      assert.deepEqual(Object.keys(written).sort(), ['access_token', 'expiry_date', 'id_token', 'refresh_token', 'scope', 'token_type', 'x_unknown_field']);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp file left behind');

      const sent = chatCalls(mock, 'generateContent')[0];
      assert.equal(sent?.headers['authorization'], `Bearer ${String(written['access_token'])}`);
      assert.equal(sent?.body?.['model'], 'gemini-2.5-pro');
      assert.equal(sent?.body?.['project'], DISCOVERED_PROJECT, 'project discovered with loadCodeAssist');
      const request = sent?.body?.['request'] as Record<string, unknown>;
      assert.deepEqual(request['systemInstruction'], { role: 'user', parts: [{ text: 'Be kind.' }] });
      assert.deepEqual(request['contents'], [{ role: 'user', parts: [{ text: 'Hi' }] }]);

      const stream = await client.chat.completions.create({ model: 'gemini-2.5-flash', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Hi' }] });
      const chunks = await collect(stream);
      assert.equal(contentOf(chunks), CA_TEXT.join(''));
      assert.equal(chunks.at(-1)?.usage?.total_tokens, CA_USAGE.totalTokenCount);
      assert.equal(chatCalls(mock, 'streamGenerateContent')[0]?.path, '/v1internal:streamGenerateContent?alt=sse');
      assert.equal(mock.tokenRequests.length, 1, 'the fresh token is reused');
      assert.equal(chatCalls(mock, 'loadCodeAssist').length, 1, 'the project is discovered once per credential');

      // The health probe is an authenticated loadCodeAssist, so it fails when the token does.
      await gw.gateway.health.probeAll();
      const probe = chatCalls(mock, 'loadCodeAssist')[1];
      assert.equal(probe?.headers['authorization'], `Bearer ${String(written['access_token'])}`);
      assert.equal(gw.gateway.state.providers.get('gcli')?.circuit.state(performance.now()), 'closed');
    } finally {
      await gw.close();
      await mock.close();
    }
  });

  test('a burst of requests with an expired token costs one refresh', async () => {
    const mock = await startMockCodeAssist({ refreshToken: REFRESH, project: DISCOVERED_PROJECT });
    const file = credsFile('ya29.expired-burst', Date.now() - 1000);
    const gw = await startGateway({ providers: [provider(mock, 'gcli', { oauth_creds_file: file, project_id: 'my-project' })] });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 });
      const answers = await Promise.all(Array.from({ length: 6 }, () => client.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi' }] })));
      assert.ok(answers.every((a) => a.choices[0]?.message.content === CA_TEXT.join('')));
      assert.equal(mock.tokenRequests.length, 1);
      assert.equal(chatCalls(mock, 'loadCodeAssist').length, 0, 'a configured project_id skips discovery');
      assert.ok(chatCalls(mock, 'generateContent').every((r) => r.body?.['project'] === 'my-project'));

      // The Gemini CLI refreshes the same file on its own: its new token is picked up, not refreshed again.
      const byCli = { ...(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>), access_token: 'ya29.written-by-gemini-cli', expiry_date: Date.now() + 3_000_000 };
      mock.validTokens.add('ya29.written-by-gemini-cli');
      writeFileSync(file, JSON.stringify(byCli, null, 2));
      await client.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi' }] });
      assert.equal(chatCalls(mock, 'generateContent').at(-1)?.headers['authorization'], 'Bearer ya29.written-by-gemini-cli');
      assert.equal(mock.tokenRequests.length, 1);
    } finally {
      await gw.close();
      await mock.close();
    }
  });

  for (const stream of [false, true]) {
    test(`a 401 from Code Assist refreshes the token and the call is sent once more (${stream ? 'stream' : 'non-stream'})`, async () => {
      const mock = await startMockCodeAssist({ refreshToken: REFRESH, project: DISCOVERED_PROJECT, validTokens: ['ya29.still-valid'] });
      const file = credsFile('ya29.still-valid', Date.now() + 3_000_000);
      const gw = await startGateway({ providers: [provider(mock, 'gcli', { oauth_creds_file: file, project_id: 'p-1' })] });
      try {
        const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 });
        const first = await client.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi' }] });
        assert.equal(first.choices[0]?.message.content, CA_TEXT.join(''));
        assert.equal(mock.tokenRequests.length, 0, 'a token with time left is used as it is');

        mock.validTokens.delete('ya29.still-valid'); // revoked upstream before it expired
        const method = stream ? 'streamGenerateContent' : 'generateContent';
        const before = chatCalls(mock, method).length;
        if (stream) {
          const chunks = await collect(await client.chat.completions.create({ model: 'gemini-2.5-pro', stream: true, messages: [{ role: 'user', content: 'Hi' }] }));
          assert.equal(contentOf(chunks), CA_TEXT.join(''));
        } else {
          const res = await client.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi' }] });
          assert.equal(res.choices[0]?.message.content, CA_TEXT.join(''));
        }
        const tries = chatCalls(mock, method).slice(before);
        assert.deepEqual(tries.map((r) => r.headers['authorization']?.slice(0, 20)), ['Bearer ya29.still-va', 'Bearer ya29.fresh-1-']);
        assert.deepEqual(JSON.parse(JSON.stringify(tries[1]?.body)), JSON.parse(JSON.stringify(tries[0]?.body)), 'the same request, sent again whole');
        assert.equal(mock.tokenRequests.length, 1);
        const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
        assert.match(String(written['access_token']), /^ya29\.fresh-1-/);
        assert.deepEqual(written['x_unknown_field'], { kept: true, list: [1, 2] });
      } finally {
        await gw.close();
        await mock.close();
      }
    });
  }

  test('a refresh token Google rejects is a 502 that says to log in again, without any token', async () => {
    const mock = await startMockCodeAssist({ refreshToken: 'some-other-refresh-token', project: DISCOVERED_PROJECT });
    const file = credsFile('ya29.expired-revoked', Date.now() - 1000);
    const gw = await startGateway({ providers: [provider(mock, 'gcli', { oauth_creds_file: file })] });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 });
      await assert.rejects(client.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi' }] }), (e: unknown) => {
        assert.ok(e instanceof OpenAI.APIError);
        assert.equal(e.status, 502);
        assert.match(e.message, /gcli/);
        assert.match(e.message, /invalid_grant/);
        assert.doesNotMatch(e.message, /refresh-token|ya29/);
        return true;
      });
      assert.doesNotMatch(gw.logText(), /refresh-token-gemini-cli|ya29\.expired/);
      assert.equal(JSON.parse(readFileSync(file, 'utf8'))['access_token'], 'ya29.expired-revoked', 'the file is left alone');
    } finally {
      await gw.close();
      await mock.close();
    }
  });

  test('without project_id an account that is not set up is onboarded, polling until the operation is done', async () => {
    const mock = await startMockCodeAssist({ refreshToken: REFRESH, validTokens: ['ya29.good'], project: undefined, onboardPolls: 1 });
    const file = credsFile('ya29.good', Date.now() + 3_000_000);
    const gw = await startGateway({ providers: [provider(mock, 'gcli', { oauth_creds_file: file })] });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 });
      const chunks = await collect(await client.chat.completions.create({ model: 'gemini-2.5-flash', stream: true, messages: [{ role: 'user', content: 'Hi' }] }));
      assert.equal(contentOf(chunks), CA_TEXT.join(''));
      assert.equal(chatCalls(mock, 'loadCodeAssist').length, 1);
      const onboard = chatCalls(mock, 'onboardUser');
      assert.equal(onboard.length, 2, 'polled until done');
      assert.deepEqual(onboard[0]?.body, { tierId: 'free-tier', metadata: { ideType: 'IDE_UNSPECIFIED', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI' } });
      assert.equal(chatCalls(mock, 'streamGenerateContent')[0]?.body?.['project'], ONBOARDED_PROJECT);
    } finally {
      await gw.close();
      await mock.close();
    }
  });

  test('two credential files as two providers of the same models are both used', async () => {
    const mock = await startMockCodeAssist({ refreshToken: REFRESH, validTokens: ['ya29.account-a', 'ya29.account-b'], project: DISCOVERED_PROJECT });
    const a = credsFile('ya29.account-a', Date.now() + 3_000_000);
    const b = credsFile('ya29.account-b', Date.now() + 3_000_000);
    const gw = await startGateway({ providers: [provider(mock, 'gcli-a', { oauth_creds_file: a }), provider(mock, 'gcli-b', { oauth_creds_file: b, weight: 2 })] });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 });
      const list = await client.models.list();
      assert.equal(list.data.find((m) => m.id === 'gemini-2.5-pro')?.owned_by, 'llmux', 'served by both');
      for (let i = 0; i < 6; i++) await client.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi' }] });
      const used = chatCalls(mock, 'generateContent').map((r) => r.headers['authorization']);
      assert.equal(used.filter((t) => t === 'Bearer ya29.account-a').length, 2);
      assert.equal(used.filter((t) => t === 'Bearer ya29.account-b').length, 4);
    } finally {
      await gw.close();
      await mock.close();
    }
  });

  test('a seed-003 inline token (RFC 3339 expiry) is refreshed and written back into its config.json, the rest of the file untouched', async () => {
    const mock = await startMockCodeAssist({ refreshToken: REFRESH, project: DISCOVERED_PROJECT });
    const configFile = join(dir, 'config.json');
    const expired = new Date(Date.now() - 120_000).toISOString();
    const seedText = `{
    "host": "0.0.0.0",
    "port": 8080,
    // CodeGeeX accounts
    "codegeex": [
        { "token": "cgx-1", "prefix": "codegeex1" }
    ],
    "gemini_cli": [
        {
            "project_id": "seed-project",
            "token": {
              // Go oauth2.Token
              "access_token": "ya29.seed-expired",
              "token_type": "Bearer",
              "refresh_token": "${REFRESH}",
              "expiry": "${expired}",
              "expires_in": 3599,
              "extra_field": "kept"
            },
            "prefix": "gemini1"
        }
    ]
}
`;
    writeFileSync(configFile, seedText, { mode: 0o640 });
    const seed = parseJsonc(seedText) as { gemini_cli: Array<{ token: Record<string, unknown>; project_id: string }> };
    const entry = seed.gemini_cli[0];
    assert.ok(entry);
    const gw = await startGateway({
      routing: { mode: 'prefix' },
      providers: [provider(mock, 'gemini1', { project_id: entry.project_id, token: entry.token, token_location: { file: configFile, pointer: ['gemini_cli', 0, 'token'] } })],
    });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 });
      const res = await client.chat.completions.create({ model: 'gemini1/gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi' }] });
      assert.equal(res.choices[0]?.message.content, CA_TEXT.join(''));
      assert.equal(mock.tokenRequests.length, 1);
      assert.equal(chatCalls(mock, 'generateContent')[0]?.body?.['project'], 'seed-project');

      const text = readFileSync(configFile, 'utf8');
      const after = parseJsonc(text) as typeof seed & Record<string, unknown>;
      const token = after.gemini_cli[0]?.token ?? {};
      assert.match(String(token['access_token']), /^ya29\.fresh-1-/);
      assert.equal(chatCalls(mock, 'generateContent')[0]?.headers['authorization'], `Bearer ${String(token['access_token'])}`);
      assert.equal(token['refresh_token'], REFRESH);
      assert.equal(token['token_type'], 'Bearer');
      assert.equal(token['extra_field'], 'kept');
      assert.equal(token['expires_in'], 3599);
      assert.equal(typeof token['expiry'], 'string');
      assert.match(String(token['expiry']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/, 'RFC 3339');
      const expiry = Date.parse(String(token['expiry']));
      assert.ok(expiry > Date.now() + 50 * 60_000, 'an hour ahead');
      assert.equal('expiry_date' in token, false, 'kept in its own format');
      // Everything else in the file is as it was: comments, other providers, other fields.
      assert.ok(text.includes('// CodeGeeX accounts'));
      assert.ok(text.includes('// Go oauth2.Token'), 'even the comment inside the token object');
      assert.deepEqual(after['codegeex'], [{ token: 'cgx-1', prefix: 'codegeex1' }]);
      assert.equal(after['host'], '0.0.0.0');
      assert.equal(after['port'], 8080);
      assert.equal(after.gemini_cli[0]?.project_id, 'seed-project');
      assert.equal((after.gemini_cli[0] as Record<string, unknown>)['prefix'], 'gemini1');
      assert.equal(statSync(configFile).mode & 0o777, 0o640, 'the config file keeps its mode');
    } finally {
      await gw.close();
      await mock.close();
    }
  });

  test('seed 003 run unchanged: its config.json gets the refreshed token, and later edits of the file still reload', async () => {
    const mock = await startMockCodeAssist({ refreshToken: REFRESH, project: DISCOVERED_PROJECT });
    const seedDir = mkdtempSync(join(tmpdir(), 'llmux-seed003-'));
    const configFile = join(seedDir, 'config.json');
    writeFileSync(
      configFile,
      `{
    "host": "127.0.0.1",
    "port": 8080,
    "gemini_cli": [
        {
            "project_id": "seed-project",
            "base_url": "${mock.url}",
            "oauth_token_url": "${mock.url}/token",
            // 你的Gemini访问令牌
            "token": { "access_token": "ya29.old", "token_type": "Bearer", "refresh_token": "${REFRESH}", "expiry": "2020-01-01T00:00:00Z" },
            "prefix": "gemini1"
        }
    ]
}
`,
    );
    const child = spawn(process.execPath, [fileURLToPath(new URL('../../src/main.ts', import.meta.url)), '--port', '0'], { cwd: seedDir, env: { ...process.env, INIT_CWD: seedDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const waitFor = async (check: () => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + 10_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await waitFor(() => /listening on http:\/\/[\d.:]+/.test(output), 'the gateway to listen');
      const url = /listening on (http:\/\/[\d.:]+)/.exec(output)?.[1] ?? '';
      const client = new OpenAI({ apiKey: 'x', baseURL: `${url}/v1`, maxRetries: 0 });
      const res = await client.chat.completions.create({ model: 'gemini1/gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi' }] });
      assert.equal(res.choices[0]?.message.content, CA_TEXT.join(''));
      const token = (parseJsonc(readFileSync(configFile, 'utf8')) as { gemini_cli: Array<{ token: Record<string, unknown> }> }).gemini_cli[0]?.token ?? {};
      assert.match(String(token['access_token']), /^ya29\.fresh-1-/);
      assert.ok(readFileSync(configFile, 'utf8').includes('// 你的Gemini访问令牌'));
      // The write-back replaced the file (rename): a later edit must still be noticed.
      await waitFor(() => output.includes('config reloaded (file changed)'), 'the reload after the write-back');
      writeFileSync(configFile, readFileSync(configFile, 'utf8').replace('"prefix": "gemini1"', '"prefix": "gemini2"'));
      await waitFor(() => /"providers":\["gemini2"\][^\n]*config reloaded/.test(output), 'the reload after the edit');
      const again = await client.chat.completions.create({ model: 'gemini2/gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi' }] });
      assert.equal(again.choices[0]?.message.content, CA_TEXT.join(''));
      assert.equal(mock.tokenRequests.length, 1, 'the provider rebuilt by the reload kept the refreshed token');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await mock.close();
    }
  });
});
