import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { configSchema } from '../../src/config/schema.ts';
import { decodeEnvelope } from '../../src/protocols/openai-responses/envelope.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { ANTHROPIC_CALLS, ANTHROPIC_THINKING, anthropicFinal, startMockAnthropic } from '../helpers/mock-anthropic.ts';
import { GEMINI_CALL_SIGNATURE, geminiFinal, startMockGemini } from '../helpers/mock-gemini.ts';
import { RESPONSES_INPUT_TOKENS, RESPONSES_USAGE, replyText, startMockOpenAI, type MockUpstream } from '../helpers/mock-openai.ts';
import { assertUsage, checkResponsesGrammar } from '../helpers/responses-grammar.ts';

const KEY_A = 'sk-team-a-responses-0001';
const KEY_B = 'sk-team-b-responses-0002';

const weather = { type: 'function' as const, name: 'get_weather', description: 'Weather in a city', strict: false, parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
const time = { type: 'function' as const, name: 'get_time', strict: false, parameters: { type: 'object', properties: { tz: { type: 'string' } } } };

describe('Responses front door: the openai SDK through llmux to every provider protocol', () => {
  let chat: MockUpstream;
  let claude: MockUpstream;
  let gem: MockUpstream;
  let oai: MockUpstream;
  let gw: TestGateway;
  let a: OpenAI;
  let b: OpenAI;

  before(async () => {
    chat = await startMockOpenAI({ name: 'chat', models: ['gpt-4o-mini', 'bad-400', 'cut-stream'] });
    claude = await startMockAnthropic({ name: 'claude' });
    gem = await startMockGemini({ name: 'gem' });
    oai = await startMockOpenAI({ name: 'oai' });
    gw = await startGateway({
      health_check: { enabled: false, failure_threshold: 1000 },
      auth: { api_keys: [{ key: KEY_A, name: 'team-a' }, { key: KEY_B, name: 'team-b' }] },
      routing: { retries: 0, aliases: { fast: 'oai/gpt-5' } },
      providers: [
        { name: 'chat', base_url: `${chat.url}/v1`, api_key: 'sk-up-chat-000001', models: ['gpt-4o-mini', 'bad-400', 'cut-stream'] },
        { name: 'claude', type: 'anthropic', base_url: claude.url, api_key: 'sk-ant-up-000002', models: ['claude-x', 'claude-thinking', 'claude-midstream-error', 'claude-length'] },
        { name: 'gem', type: 'gemini', base_url: gem.url, api_key: 'AIza-up-000003', models: ['gemini-x', 'gemini-midstream-error', 'gemini-thinking'] },
        { name: 'oai', base_url: `${oai.url}/v1`, api_key: 'sk-up-oai-000004', responses: true, models: ['gpt-5', 'cut-args', 'rate-429'] },
        { name: 'resp', type: 'openai-responses', base_url: `${oai.url}/v1`, api_key: 'sk-up-resp-000005', models: ['gpt-5-pro'] },
      ],
    });
    a = new OpenAI({ apiKey: KEY_A, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    b = new OpenAI({ apiKey: KEY_B, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  });

  after(async () => {
    await gw.close();
    await Promise.all([chat.close(), claude.close(), gem.close(), oai.close()]);
  });

  const raw = (body: Record<string, unknown>, key = KEY_A) =>
    fetch(`${gw.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const targets: Array<{ model: string; text: string; via: () => MockUpstream }> = [
    { model: 'gpt-4o-mini', text: replyText('chat'), via: () => chat },
    { model: 'claude-x', text: 'Hello from claude', via: () => claude },
    { model: 'gemini-x', text: 'Hello from gem', via: () => gem },
    { model: 'gpt-5', text: replyText('oai'), via: () => oai },
    { model: 'gpt-5-pro', text: replyText('oai'), via: () => oai },
  ];

  for (const t of targets) {
    test(`${t.model}: responses.create and responses.stream().finalResponse()`, async () => {
      const created = await a.responses.create({ model: t.model, input: 'hi', instructions: 'Be brief.' });
      assert.equal(created.object, 'response');
      assert.equal(created.status, 'completed');
      assert.equal(created.output_text, t.text);
      assert.match(created.id, /^resp_/);
      assertUsage(created.usage, 'non-stream');
      const streamed = await a.responses.stream({ model: t.model, input: 'hi' }).finalResponse();
      assert.equal(streamed.output_text, t.text);
      assertUsage(streamed.usage, 'stream');
      // The stored copy is the answer the client got.
      const again = await a.responses.retrieve(streamed.id);
      // (The SDK's stream helper adds a `parsed` field to each text part; the rest is what was streamed.)
      assert.deepEqual(again.output.map((i) => i.id), streamed.output.map((i) => i.id));
      assert.equal(again.output_text, t.text);
      assert.deepEqual(again.usage, streamed.usage);
      assert.ok(t.via().requests.length > 0);
    });

    test(`${t.model}: the stream keeps the grammar`, async () => {
      const res = await raw({ model: t.model, input: 'hi', stream: true });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
      const checked = checkResponsesGrammar(await res.text());
      assert.equal(checked.terminal['type'], 'response.completed');
      assert.equal(checked.text, t.text);
    });
  }

  test('pass-through: the client body reaches OpenAI as it was sent, hosted tools and all; usage from the terminal event', async () => {
    const body = { model: 'gpt-5', input: [{ type: 'message', role: 'user', content: 'hi' }], tools: [{ type: 'web_search' }], include: ['reasoning.encrypted_content'], store: false, stream: true };
    const res = await raw(body);
    const checked = checkResponsesGrammar(await res.text());
    assert.equal(res.headers.get('x-llmux-dropped-params'), null, 'nothing is dropped for OpenAI itself');
    const seen = oai.requests.at(-1);
    assert.equal(seen?.path, '/v1/responses');
    assert.deepEqual(seen?.body, body);
    assert.equal(seen?.headers['authorization'], 'Bearer sk-up-oai-000004');
    // store:false: the upstream's completed output is empty; the items came in output_item.done.
    assert.deepEqual((checked.terminal['response'] as Record<string, unknown>)['output'], []);
    // A reasoning item and a call: OpenAI's own ids and encrypted content, untouched.
    assert.deepEqual([...checked.done.values()].map((i) => [i['type'], i['id']]), [['reasoning', 'rs_mock_oai'], ['function_call', 'fc_mock_oai']]);
    assert.equal([...checked.done.values()][0]?.['encrypted_content'], 'enc-oai');
    assert.deepEqual((checked.terminal['response'] as Record<string, unknown>)['usage'], RESPONSES_USAGE);
  });

  test('pass-through through an alias: only the model is rewritten', async () => {
    const body = { model: 'fast', input: 'hi', metadata: { k: 'v' }, prompt_cache_key: 'conv-1', text: { verbosity: 'low' } };
    const r = await a.responses.create(body as unknown as OpenAI.Responses.ResponseCreateParamsNonStreaming);
    assert.equal(r.output_text, replyText('oai'));
    assert.deepEqual(oai.requests.at(-1)?.body, { ...body, model: 'gpt-5' });
  });

  test('hosted tools to a converted target are dropped and named in x-llmux-dropped-params', async () => {
    const res = await raw({ model: 'claude-x', input: 'hi', tools: [{ type: 'web_search' }, weather], tool_choice: { type: 'web_search' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-llmux-dropped-params'), 'tools.web_search, tool_choice');
    const tools = (claude.requests.at(-1)?.body?.['tools'] as Array<Record<string, unknown>>).map((t) => t['name']);
    assert.deepEqual(tools, ['get_weather']);
  });

  test('a tool round trip through previous_response_id, to Anthropic (stream) and Gemini (non-stream)', async () => {
    const first = await a.responses.stream({ model: 'claude-x', input: 'weather and time?', tools: [weather, time] }).finalResponse();
    const calls = first.output.filter((i) => i.type === 'function_call');
    assert.deepEqual(calls.map((c) => [c.call_id, c.name, JSON.parse(c.arguments)]), ANTHROPIC_CALLS.map((c) => [c.id, c.name, c.input]));
    const second = await a.responses.create({
      model: 'claude-x',
      previous_response_id: first.id,
      tools: [weather, time],
      input: calls.map((c) => ({ type: 'function_call_output' as const, call_id: c.call_id, output: 'ok' })),
    });
    assert.equal(second.output_text, anthropicFinal('claude'));
    assert.equal(second.previous_response_id, first.id);
    // The Anthropic mock refuses a tool_use without its tool_result right after: the history was rebuilt in order.
    const sent = claude.requests.at(-1)?.body?.['messages'] as Array<Record<string, unknown>>;
    assert.deepEqual(sent.map((m) => m['role']), ['user', 'assistant', 'user']);

    const g1 = await a.responses.create({ model: 'gemini-x', input: 'weather?', tools: [weather, time] });
    const gcalls = g1.output.filter((i) => i.type === 'function_call');
    assert.equal(gcalls.length, 2);
    const g2 = await a.responses.create({ model: 'gemini-x', previous_response_id: g1.id, input: gcalls.map((c) => ({ type: 'function_call_output' as const, call_id: c.call_id, output: 'ok' })) });
    assert.equal(g2.output_text, geminiFinal('gem'));
  });

  test('a Codex-style stateless turn: Anthropic thinking travels in an envelope and comes back as a signed thinking block', async () => {
    const turn = {
      model: 'claude-thinking',
      store: false,
      stream: true,
      include: ['reasoning.encrypted_content'],
      reasoning: { effort: 'medium', summary: 'auto' },
      prompt_cache_key: 'conv-42',
      client_metadata: { session: 'x' },
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
        { type: 'message', id: 'item_1', role: 'user', content: [{ type: 'input_text', text: 'weather?' }] },
      ],
      tools: [weather, { type: 'web_search' }, { type: 'namespace', name: 'mcp__clock', tools: [time] }],
    };
    const r1 = await raw(turn);
    const c1 = checkResponsesGrammar(await r1.text());
    const items = [...c1.done.entries()].sort((x, y) => x[0] - y[0]).map(([, i]) => i);
    const reasoning = items.find((i) => i['type'] === 'reasoning');
    assert.ok(reasoning !== undefined);
    assert.deepEqual(decodeEnvelope(String(reasoning['encrypted_content'])), { family: 'anthropic', text: ANTHROPIC_THINKING.thinking, signature: ANTHROPIC_THINKING.signature });
    // Namespaced tools reach Anthropic flattened; hosted ones do not reach it at all.
    assert.deepEqual((claude.requests.at(-1)?.body?.['tools'] as Array<{ name: string }>).map((t) => t.name), ['get_weather', 'mcp__clock__get_time']);
    assert.equal(r1.headers.get('x-llmux-dropped-params'), 'tools.web_search');
    // store:false: nothing to retrieve.
    const gone = await fetch(`${gw.url}/v1/responses/${String((c1.terminal['response'] as Record<string, unknown>)['id'])}`, { headers: { authorization: `Bearer ${KEY_A}` } });
    assert.equal(gone.status, 404);

    const outputs = items.filter((i) => i['type'] === 'function_call').map((i) => ({ type: 'function_call_output', call_id: i['call_id'], output: 'ok' }));
    const r2 = await raw({ ...turn, input: [...turn.input, ...items, ...outputs] });
    const c2 = checkResponsesGrammar(await r2.text());
    assert.equal(c2.terminal['type'], 'response.completed');
    const sent = claude.requests.at(-1)?.body?.['messages'] as Array<{ role: string; content: Array<Record<string, unknown>> }>;
    assert.deepEqual(sent[1]?.content[0], { type: 'thinking', thinking: ANTHROPIC_THINKING.thinking, signature: ANTHROPIC_THINKING.signature });

    // The user switches the same conversation to OpenAI itself: Claude's reasoning items are left out.
    const r3 = await raw({ ...turn, model: 'gpt-5', input: [...turn.input, ...items, ...outputs] });
    checkResponsesGrammar(await r3.text());
    const toOpenAI = oai.requests.at(-1)?.body?.['input'] as Array<Record<string, unknown>>;
    assert.ok(!toOpenAI.some((i) => i['type'] === 'reasoning'), 'no foreign reasoning reaches OpenAI');
    assert.equal(toOpenAI.length, turn.input.length + items.length - 1 + outputs.length);
    assert.deepEqual(sent[1]?.content.filter((blk) => blk['type'] === 'tool_use').map((blk) => blk['id']), ANTHROPIC_CALLS.map((c) => c.id));
  });

  test('a Codex-style stateless turn to Gemini: the thought signature of a call comes back on that call', async () => {
    const turn = { model: 'gemini-thinking', store: false, stream: true, include: ['reasoning.encrypted_content'], reasoning: { effort: 'low', summary: 'auto' }, input: [{ type: 'message', role: 'user', content: 'weather?' }], tools: [weather, time] };
    const c1 = checkResponsesGrammar(await (await raw(turn)).text());
    const items = [...c1.done.entries()].sort((x, y) => x[0] - y[0]).map(([, i]) => i);
    const calls = items.filter((i) => i['type'] === 'function_call');
    assert.equal(calls.length, 2);
    const outputs = calls.map((i) => ({ type: 'function_call_output', call_id: i['call_id'], output: 'ok' }));
    const c2 = checkResponsesGrammar(await (await raw({ ...turn, input: [...turn.input, ...items, ...outputs] })).text());
    assert.equal(c2.text, geminiFinal('gem'));
    const contents = gem.requests.at(-1)?.body?.['contents'] as Array<{ role: string; parts: Array<Record<string, unknown>> }>;
    const callParts = contents.flatMap((c) => c.parts).filter((p) => p['functionCall'] !== undefined);
    assert.equal(callParts.find((p) => (p['functionCall'] as { name: string }).name === 'get_weather')?.['thoughtSignature'], GEMINI_CALL_SIGNATURE);
  });

  test('failures keep the grammar: upstream error mid-stream (Anthropic, Gemini), cut mid-text (chat), cut mid-arguments (pass-through)', async () => {
    for (const model of ['claude-midstream-error', 'gemini-midstream-error', 'cut-stream', 'cut-args']) {
      const res = await raw({ model, input: 'hi', stream: true, tools: model === 'cut-args' ? [weather] : undefined });
      assert.equal(res.status, 200, model);
      const checked = checkResponsesGrammar(await res.text());
      assert.equal(checked.terminal['type'], 'response.failed', model);
      assert.ok(![...checked.done.values()].some((i) => i['type'] === 'function_call'), `${model}: no half call announced done`);
    }
  });

  test('the SDK reads a stream that failed mid-way as a failed response, with the upstream reason', async () => {
    const failed = await a.responses.stream({ model: 'claude-midstream-error', input: 'hi' }).finalResponse();
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error?.code, 'server_error');
    assert.match(failed.error?.message ?? '', /Overloaded/);
    // The text that arrived before the failure is kept, marked incomplete.
    assert.deepEqual(failed.output.map((i) => [i.type, i.type === 'message' ? i.status : undefined]), [['message', 'incomplete']]);
  });

  test('a failure before the first byte is an HTTP error in the OpenAI shape', async () => {
    await assert.rejects(a.responses.create({ model: 'bad-400', input: 'hi' }), (error: unknown) => error instanceof OpenAI.BadRequestError && /temperature/.test(error.message));
    const res = await raw({ model: 'bad-400', input: 'hi', stream: true });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { type: string } };
    assert.equal(body.error.type, 'invalid_request_error');
    // An upstream 429 with nothing left to try: the client gets it, with its retry-after (Codex does not retry 429 itself).
    const limited = await raw({ model: 'rate-429', input: 'hi', stream: true });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    assert.equal(((await limited.json()) as { error: { code: string } }).error.code, 'rate_limit_exceeded');
    const bg = await raw({ model: 'claude-x', input: 'hi', background: true });
    assert.equal(bg.status, 400);
    assert.equal(((await bg.json()) as { error: { param: string } }).error.param, 'background');
  });

  test('max_output_tokens hit → incomplete with its reason', async () => {
    const r = await a.responses.create({ model: 'claude-length', input: 'hi', max_output_tokens: 16 });
    assert.equal(r.status, 'incomplete');
    assert.deepEqual(r.incomplete_details, { reason: 'max_output_tokens' });
    assert.equal(claude.requests.at(-1)?.body?.['max_tokens'], 16);
    const res = await raw({ model: 'claude-length', input: 'hi', stream: true, max_output_tokens: 16 });
    assert.equal(checkResponsesGrammar(await res.text()).terminal['type'], 'response.incomplete');
  });

  test('retrieve, inputItems.list, delete; another key sees nothing', async () => {
    const r = await a.responses.create({ model: 'gpt-4o-mini', input: [{ role: 'user', content: 'one' }, { role: 'user', content: 'two' }, { role: 'user', content: 'three' }] });
    assert.equal((await a.responses.retrieve(r.id)).id, r.id);
    const list = await a.responses.inputItems.list(r.id);
    assert.deepEqual(list.data.map((i) => (i.type === 'message' ? (i.content[0] as { text?: string } | undefined)?.text ?? i.content : '')), ['three', 'two', 'one']);
    for (const item of list.data) assert.match(item.id ?? '', /^msg_/);
    const page = await fetch(`${gw.url}/v1/responses/${r.id}/input_items?order=asc&limit=1&after=${list.data[2]?.id ?? ''}`, { headers: { authorization: `Bearer ${KEY_A}` } });
    const pageBody = (await page.json()) as { data: Array<{ id: string }>; has_more: boolean; first_id: string; last_id: string; object: string };
    assert.equal(pageBody.object, 'list');
    assert.deepEqual([pageBody.data.map((i) => i.id), pageBody.has_more, pageBody.first_id], [[list.data[1]?.id], true, list.data[1]?.id]);
    const bad = await fetch(`${gw.url}/v1/responses/${r.id}/input_items?limit=101`, { headers: { authorization: `Bearer ${KEY_A}` } });
    assert.equal(bad.status, 400);

    await assert.rejects(b.responses.retrieve(r.id), (error: unknown) => error instanceof OpenAI.NotFoundError);
    await assert.rejects(b.responses.create({ model: 'gpt-4o-mini', input: 'x', previous_response_id: r.id }), (error: unknown) => error instanceof OpenAI.NotFoundError && (error as { code?: string }).code === 'previous_response_not_found');
    const del = await fetch(`${gw.url}/v1/responses/${r.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${KEY_B}` } });
    assert.equal(del.status, 404);
    const deleted = await fetch(`${gw.url}/v1/responses/${r.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${KEY_A}` } });
    assert.deepEqual(await deleted.json(), { id: r.id, object: 'response', deleted: true });
    await a.responses.delete(r.id).then(
      () => assert.fail('deleted twice'),
      (error: unknown) => assert.ok(error instanceof OpenAI.NotFoundError),
    );
    await assert.rejects(a.responses.retrieve(r.id), (error: unknown) => error instanceof OpenAI.NotFoundError);
  });

  test('item_reference resolves from the same key\'s stored items; an unknown one is item_not_found', async () => {
    const r = await a.responses.create({ model: 'gpt-4o-mini', input: 'remember me' });
    const msg = r.output[0];
    assert.ok(msg !== undefined && msg.type === 'message');
    await a.responses.create({ model: 'claude-x', input: [{ type: 'item_reference', id: msg.id }, { role: 'user', content: 'and now?' }] });
    const sent = claude.requests.at(-1)?.body?.['messages'] as Array<{ role: string; content: unknown }>;
    const referenced = sent.find((m) => JSON.stringify(m.content).includes(replyText('chat')));
    assert.equal(referenced?.role, 'assistant', 'the referenced answer went back as the assistant turn it was');
    assert.equal(sent.at(-1)?.role, 'user');
    await assert.rejects(b.responses.create({ model: 'claude-x', input: [{ type: 'item_reference', id: msg.id }] }), (error: unknown) => error instanceof OpenAI.BadRequestError && (error as { code?: string }).code === 'item_not_found');
  });

  test('a Chat Completions client reaches an openai-responses provider through conversion', async () => {
    const res = await a.chat.completions.create({ model: 'gpt-5-pro', messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hi' }] });
    assert.equal(res.choices[0]?.message.content, replyText('oai'));
    assert.equal(res.usage?.prompt_tokens, RESPONSES_USAGE.input_tokens);
    const seen = oai.requests.at(-1);
    assert.equal(seen?.path, '/v1/responses');
    assert.equal(seen?.body?.['instructions'], 'sys');
    assert.equal(seen?.body?.['store'], false);
    const tools = await a.chat.completions.create({ model: 'gpt-5-pro', stream: true, messages: [{ role: 'user', content: 'weather' }], tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] });
    let args = '';
    for await (const chunk of tools) args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
    assert.equal(args, '{"city":"Paris"}');
  });

  test('images, JSON schema output and a cancel that cannot be', async () => {
    const image = await a.responses.create({ model: 'claude-x', input: [{ role: 'user', content: [{ type: 'input_text', text: 'what is this?' }, { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' }] }] });
    assert.equal(image.status, 'completed');
    const blocks = (claude.requests.at(-1)?.body?.['messages'] as Array<{ content: Array<Record<string, unknown>> }>)[0]?.content;
    assert.deepEqual(blocks?.[1], { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } });
    await a.responses.create({ model: 'claude-x', input: [{ role: 'user', content: [{ type: 'input_file', filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQ=' }, { type: 'input_text', text: 'summarise' }] }] });
    const doc = (claude.requests.at(-1)?.body?.['messages'] as Array<{ content: Array<Record<string, unknown>> }>)[0]?.content[0];
    assert.deepEqual(doc, { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQ=' } });
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    await a.responses.create({ model: 'gemini-x', input: 'a city', text: { format: { type: 'json_schema', name: 'city', schema, strict: true } } });
    const config = gem.requests.at(-1)?.body?.['generationConfig'] as Record<string, unknown>;
    assert.equal(config['responseMimeType'], 'application/json');
    assert.ok(config['responseSchema'] !== undefined || config['responseJsonSchema'] !== undefined);
    const cancel = await fetch(`${gw.url}/v1/responses/resp_x/cancel`, { method: 'POST', headers: { authorization: `Bearer ${KEY_A}` } });
    assert.equal(cancel.status, 400);
  });

  test('Anthropic and Gemini clients reach an openai-responses provider, stream and not, tools included', async () => {
    const an = new Anthropic({ baseURL: gw.url, apiKey: KEY_A, maxRetries: 0 });
    const msg = await an.messages.create({ model: 'gpt-5-pro', max_tokens: 64, system: 'sys', messages: [{ role: 'user', content: 'hi' }] });
    assert.deepEqual(msg.content.map((b) => (b.type === 'text' ? b.text : b.type)), [replyText('oai')]);
    assert.equal(msg.stop_reason, 'end_turn');
    assert.equal(msg.usage.output_tokens, RESPONSES_USAGE.output_tokens);
    assert.equal(oai.requests.at(-1)?.body?.['max_output_tokens'], 64);
    const stream = an.messages.stream({ model: 'gpt-5-pro', max_tokens: 64, messages: [{ role: 'user', content: 'weather?' }], tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }] });
    const final = await stream.finalMessage();
    assert.equal(final.stop_reason, 'tool_use');
    const use = final.content.find((b) => b.type === 'tool_use');
    assert.deepEqual(use?.type === 'tool_use' ? [use.id, use.name, use.input] : [], ['call_mock_oai', 'get_weather', { city: 'Paris' }]);

    const gm = new GoogleGenAI({ apiKey: KEY_A, httpOptions: { baseUrl: gw.url, apiVersion: 'v1beta' } });
    const g = await gm.models.generateContent({ model: 'gpt-5-pro', contents: 'hi' });
    assert.equal(g.text, replyText('oai'));
    let streamed = '';
    for await (const chunk of await gm.models.generateContentStream({ model: 'gpt-5-pro', contents: 'hi' })) streamed += chunk.text ?? '';
    assert.equal(streamed, replyText('oai'));
  });

  test('input_tokens counts like count_tokens', async () => {
    const res = await fetch(`${gw.url}/v1/responses/input_tokens`, { method: 'POST', headers: { authorization: `Bearer ${KEY_A}` }, body: JSON.stringify({ model: 'claude-x', input: 'How many tokens is this sentence here?', instructions: 'Be brief.' }) });
    const body = (await res.json()) as { object: string; input_tokens: number };
    assert.equal(body.object, 'response.input_tokens');
    assert.ok(Number.isInteger(body.input_tokens) && body.input_tokens > 5 && body.input_tokens < 40, String(body.input_tokens));
    // A provider that speaks Responses counts itself.
    for (const model of ['gpt-5', 'gpt-5-pro']) {
      const own = await fetch(`${gw.url}/v1/responses/input_tokens`, { method: 'POST', headers: { authorization: `Bearer ${KEY_A}` }, body: JSON.stringify({ model, input: 'hi' }) });
      assert.deepEqual(await own.json(), { object: 'response.input_tokens', input_tokens: RESPONSES_INPUT_TOKENS });
      assert.equal(oai.requests.at(-1)?.path, '/v1/responses/input_tokens');
    }
  });
});

describe('stored responses across a config reload', () => {
  test('kept while the store settings stay; gone when the store is turned off', async (t) => {
    const up = await startMockOpenAI({ name: 'up', models: ['m'] });
    const base = { health_check: { enabled: false }, providers: [{ name: 'up', base_url: `${up.url}/v1`, models: ['m'] }] };
    const gw = await startGateway(base);
    t.after(async () => {
      await gw.close();
      await up.close();
    });
    const client = new OpenAI({ apiKey: 'none', baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const r = await client.responses.create({ model: 'm', input: 'hi' });
    await gw.gateway.reload(configSchema.parse({ ...base, server: { host: '127.0.0.1', port: 0 }, logging: { level: 'warn' } }));
    assert.equal((await client.responses.retrieve(r.id)).id, r.id);
    await gw.gateway.reload(configSchema.parse({ ...base, server: { host: '127.0.0.1', port: 0 }, responses: { store: 'off' } }));
    await assert.rejects(client.responses.retrieve(r.id), (error: unknown) => error instanceof OpenAI.NotFoundError);
    const unstored = await client.responses.create({ model: 'm', input: 'hi' });
    await assert.rejects(client.responses.create({ model: 'm', input: 'again', previous_response_id: unstored.id }), (error: unknown) => error instanceof OpenAI.NotFoundError);
  });
});

describe('front-door choices survive a model rule that rewrites the request', () => {
  test('hosted_tools reject is a 400 naming the tool, and drop names it in the header, with a default rule in place', async (t) => {
    const claude = await startMockAnthropic({ name: 'claude' });
    const base = (hosted: 'drop' | 'reject') => ({
      health_check: { enabled: false },
      providers: [{ name: 'claude', type: 'anthropic', base_url: claude.url, api_key: 'sk-ant-up-000009', models: ['claude-x'] }],
      model_rules: [{ match_model: 'default', set: { temperature: 0.5 } }],
      responses: { hosted_tools: hosted },
    });
    const gw = await startGateway(base('reject'));
    t.after(async () => {
      await gw.close();
      await claude.close();
    });
    const post = (body: Record<string, unknown>) => fetch(`${gw.url}/v1/responses`, { method: 'POST', body: JSON.stringify(body) });
    const refused = await post({ model: 'claude-x', input: 'hi', tools: [{ type: 'web_search' }] });
    assert.equal(refused.status, 400);
    const error = ((await refused.json()) as { error: { message: string; param: string } }).error;
    assert.match(error.message, /hosted tool "web_search"/);
    assert.equal(error.param, 'tools');
    await gw.gateway.reload(configSchema.parse({ ...base('drop'), server: { host: '127.0.0.1', port: 0 } }));
    const dropped = await post({ model: 'claude-x', input: 'hi', tools: [{ type: 'web_search' }] });
    assert.equal(dropped.status, 200);
    assert.equal(dropped.headers.get('x-llmux-dropped-params'), 'tools.web_search');
    assert.equal(claude.requests.at(-1)?.body?.['temperature'], 0.5, 'the rule applied');
  });
});
