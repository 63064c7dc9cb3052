import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { replyText, startMockOpenAI, type MockUpstream } from '../helpers/mock-openai.ts';

const TEAM_KEY = 'sk-team-a-0123456789abcdef';
const LIMITED_KEY = 'sk-limited-fedcba9876543210';
const PROVIDER_KEY_1 = 'sk-provider-one-SECRET-111111';
const PROVIDER_KEY_2 = 'sk-provider-two-SECRET-222222';

describe('OpenAI front door over real HTTP (openai SDK → llmux → mock OpenAI upstreams)', () => {
  let one: MockUpstream;
  let two: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    one = await startMockOpenAI({ name: 'one', models: ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small', 'gpt-3.5-turbo-instruct'] });
    two = await startMockOpenAI({ name: 'two', models: ['gpt-4o', 'qwen-max'] });
    gw = await startGateway({
      server: { body_limit: '64kb' },
      // These tests make provider "two" fail on purpose; keep its circuit closed throughout.
      health_check: { enabled: false, failure_threshold: 1000 },
      auth: {
        api_keys: [
          { key: TEAM_KEY, name: 'team-a' },
          { key: LIMITED_KEY, name: 'limited', models: ['gpt-4o-mini'] },
        ],
      },
      providers: [
        { name: 'one', base_url: `${one.url}/v1`, api_key: PROVIDER_KEY_1, weight: 2, headers: { 'X-Org': 'org-1' } },
        { name: 'two', base_url: `${two.url}/v1`, api_keys: [PROVIDER_KEY_2, 'sk-provider-two-second-333333'], weight: 1, models: ['gpt-4o', 'qwen-*', 'fail-500', 'bad-400', 'auth-401', 'hang', 'slow-stream', 'cut-stream', 'rate-429'], timeout: '2s' },
      ],
      routing: {
        aliases: { 'smart': ['one/gpt-4o-mini', { target: 'two/qwen-max', weight: 1 }] },
      },
      model_rules: [
        { match_model: 'legacy', unset: ['presence_penalty'], set: { model: 'gpt-4o-mini', temperature: 0.7 }, extra: { generation_params: { top_p: 0.9 } } },
        { match_model: 'qwen-*', match_provider: 'two', set: { model: 'qwen2.5-72b-instruct' }, extra: { enable_search: true } },
      ],
    });
    client = new OpenAI({ apiKey: TEAM_KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  });

  after(async () => {
    await gw.close();
    await one.close();
    await two.close();
  });

  const last = (m: MockUpstream) => m.requests.at(-1);

  test('non-stream chat returns the upstream answer and its usage', async () => {
    const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(res.choices[0]?.message.content, replyText('one'));
    assert.equal(res.usage?.total_tokens, 18);
    assert.equal(res.model, 'gpt-4o-mini');
    const seen = last(one);
    assert.equal(seen?.headers['authorization'], `Bearer ${PROVIDER_KEY_1}`);
    assert.equal(seen?.headers['x-org'], 'org-1');
  });

  test('stream chat assembles to the mock text and hides the usage chunk the client did not ask for', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    let usageChunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usageChunks++;
    }
    assert.equal(text, replyText('one'));
    assert.equal(usageChunks, 0);
    assert.deepEqual(last(one)?.body?.['stream_options'], { include_usage: true }, 'usage is always requested upstream');
  });

  test('stream chat with include_usage delivers the final usage chunk', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    assert.equal(usage?.prompt_tokens, 11);
    assert.equal(usage?.completion_tokens, 7);
  });

  test('streamed parallel tool calls pass through intact, in order, with ids and names on the first delta only', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'weather and time?' }],
      tools: [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } },
      ],
    });
    const calls: Array<{ id?: string; name?: string; args: string }> = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      for (const d of choice?.delta.tool_calls ?? []) {
        const c = (calls[d.index] ??= { args: '' });
        if (d.id !== undefined) c.id = d.id;
        if (d.function?.name !== undefined) c.name = d.function.name;
        c.args += d.function?.arguments ?? '';
      }
      finish = choice?.finish_reason ?? finish;
    }
    assert.deepEqual(calls, [
      { id: 'call_a', name: 'get_weather', args: '{"city":"Paris"}' },
      { id: 'call_b', name: 'get_time', args: '{"tz":"CET"}' },
    ]);
    assert.equal(finish, 'tool_calls');
  });

  test('same-protocol streams reach the client byte for byte (no re-serialising)', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEAM_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(res.headers.get('x-accel-buffering'), 'no');
    const text = await res.text();
    const direct = await fetch(`${one.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const expected = (await direct.text()).replace(/chatcmpl-one-\d+/g, 'ID');
    assert.equal(text.replace(/chatcmpl-one-\d+/g, 'ID'), expected);
  });

  test('legacy completions and embeddings pass through', async () => {
    const completion = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi' });
    assert.equal(completion.choices[0]?.text, replyText('one'));
    const emb = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    assert.equal(emb.data.length, 2);
    assert.equal(emb.data[1]?.embedding.length, 3);
    assert.equal(last(one)?.path, '/v1/embeddings');
  });

  test('the model list merges providers: owned_by is the provider, or llmux when shared or an alias', async () => {
    const ids = new Map<string, string>();
    for await (const m of client.models.list()) ids.set(m.id, m.owned_by);
    assert.equal(ids.get('gpt-4o'), 'llmux');
    assert.equal(ids.get('gpt-4o-mini'), 'one');
    assert.equal(ids.get('smart'), 'llmux');
    assert.equal(ids.get('qwen-max'), undefined, 'two has a configured list, so its discovered models are not listed');
    const one4o = await client.models.retrieve('gpt-4o-mini');
    assert.equal(one4o.owned_by, 'one');
    await assert.rejects(client.models.retrieve('nope'), (e: unknown) => e instanceof OpenAI.NotFoundError);
  });

  test('weights 2:1 on a shared model send requests 2:1, in the smooth order', async () => {
    const before1 = one.requests.length;
    const before2 = two.requests.length;
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
      order.push(res.choices[0]?.message.content === replyText('one') ? 'one' : 'two');
    }
    assert.deepEqual(order, ['one', 'two', 'one', 'one', 'two', 'one']);
    assert.equal(one.requests.length - before1, 4);
    assert.equal(two.requests.length - before2, 2);
  });

  test('X-Model-Provider pins the provider', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'X-Model-Provider': 'two' } });
      assert.equal(res.choices[0]?.message.content, replyText('two'));
    }
  });

  test('an alias reaches both of its targets with the upstream model names', async () => {
    const models = new Set<string>();
    for (let i = 0; i < 4; i++) {
      await client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'x' }] });
      const seen = [last(one), last(two)].filter((r) => r !== undefined);
      for (const r of seen) models.add(String(r.body?.['model']));
    }
    assert.ok(models.has('gpt-4o-mini'));
    assert.ok(models.has('qwen2.5-72b-instruct'), 'the provider rule renamed qwen-max for provider two');
  });

  test('model rules are visible in what the upstream received', async () => {
    await client.chat.completions.create({ model: 'legacy', messages: [{ role: 'user', content: 'x' }], presence_penalty: 1 });
    const body = last(one)?.body;
    assert.equal(body?.['model'], 'gpt-4o-mini');
    assert.equal(body?.['temperature'], 0.7);
    assert.equal(body?.['presence_penalty'], undefined);
    assert.deepEqual(body?.['generation_params'], { top_p: 0.9 });
    await client.chat.completions.create({ model: 'two/qwen-turbo', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(last(two)?.body?.['model'], 'qwen2.5-72b-instruct');
    assert.equal(last(two)?.body?.['enable_search'], true);
  });

  test('provider keys rotate round-robin', async () => {
    const keys = new Set<string>();
    for (let i = 0; i < 2; i++) {
      await client.chat.completions.create({ model: 'qwen-max', messages: [{ role: 'user', content: 'x' }] });
      keys.add(String(last(two)?.headers['authorization']));
    }
    assert.equal(keys.size, 2);
  });

  test('401 without a key and with a wrong key, in the OpenAI error shape', async () => {
    for (const headers of [{}, { authorization: 'Bearer sk-wrong' }]) {
      const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
      assert.equal(res.status, 401);
      const body = (await res.json()) as { error: { message: string; type: string } };
      assert.equal(body.error.type, 'authentication_error');
      assert.ok(body.error.message.length > 0);
    }
    const bad = new OpenAI({ apiKey: 'sk-wrong', baseURL: `${gw.url}/v1`, maxRetries: 0 });
    await assert.rejects(bad.models.list(), (e: unknown) => e instanceof OpenAI.AuthenticationError);
  });

  test('keys work as x-api-key, x-goog-api-key and ?key= too', async () => {
    for (const [path, headers] of [
      ['/v1/models', { 'x-api-key': TEAM_KEY }],
      ['/v1/models', { 'x-goog-api-key': TEAM_KEY }],
      [`/v1/models?key=${TEAM_KEY}`, {}],
    ] as const) {
      const res = await fetch(`${gw.url}${path}`, { headers });
      assert.equal(res.status, 200, path);
    }
  });

  test('403 for a model outside the key allow-list; the key sees only its models', async () => {
    const limited = new OpenAI({ apiKey: LIMITED_KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    await assert.rejects(limited.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.PermissionDeniedError);
    const ok = await limited.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(ok.choices[0]?.message.content, replyText('one'));
    const ids: string[] = [];
    for await (const m of limited.models.list()) ids.push(m.id);
    assert.deepEqual(ids, ['gpt-4o-mini']);
  });

  test('404 for an unknown model lists close matches', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4o-mni', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.NotFoundError);
      assert.match(e.message, /gpt-4o-mini/);
      return true;
    });
  });

  test('400 for invalid JSON and for a missing field, naming it', async () => {
    const bad = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TEAM_KEY}`, 'content-type': 'application/json' }, body: '{"model": "gpt-4o",' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /not valid JSON/);
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4o' } as never), (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError);
      assert.equal((e.error as { param?: string }).param, 'messages');
      return true;
    });
    const typed = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TEAM_KEY}` }, body: JSON.stringify({ model: 42, messages: [] }) });
    assert.equal(typed.status, 400);
    assert.equal(((await typed.json()) as { error: { param: string } }).error.param, 'model');
  });

  test('413 for a body over server.body_limit', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEAM_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(70 * 1024) }] }),
    });
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
  });

  test('an upstream 400 passes through with its message; 401 from the provider becomes 502 naming it, without its key', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'bad-400', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError);
      assert.match(e.message, /temperature/);
      return true;
    });
    await assert.rejects(client.chat.completions.create({ model: 'auth-401', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.APIError);
      assert.equal(e.status, 502);
      assert.match(e.message, /provider "two" rejected its credentials/);
      assert.doesNotMatch(e.message, /sk-provider-two/);
      return true;
    });
  });

  test('an upstream 500 becomes 502 and a hung upstream 504 within the provider timeout', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'fail-500', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.APIError && e.status === 502);
    const started = Date.now();
    await assert.rejects(client.chat.completions.create({ model: 'hang', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.APIError && e.status === 504);
    assert.ok(Date.now() - started < 5000);
  });

  test('an upstream that cuts a stream ends it with an OpenAI error event, not silence', async () => {
    const stream = await client.chat.completions.create({ model: 'cut-stream', stream: true, messages: [{ role: 'user', content: 'x' }] });
    let text = '';
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })(),
      (e: unknown) => e instanceof OpenAI.APIError,
    );
    assert.ok(text.startsWith('w0 w1'));
  });

  test('the client closing the connection aborts the upstream request', async () => {
    const controller = new AbortController();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEAM_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'slow-stream', stream: true, messages: [{ role: 'user', content: 'x' }] }),
      signal: controller.signal,
    });
    const reader = res.body?.getReader();
    await reader?.read();
    controller.abort();
    const deadline = Date.now() + 3000;
    while (!two.aborted.some((a) => a.model === 'slow-stream') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(two.aborted.some((a) => a.model === 'slow-stream'), 'the mock saw its response aborted');
  });

  test('every answer carries x-request-id (echoed when given) and x-llmux-overhead-ms', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEAM_KEY}`, 'x-request-id': 'trace-123' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(res.headers.get('x-request-id'), 'trace-123');
    assert.ok(Number(res.headers.get('x-llmux-overhead-ms')) >= 0);
    const generated = await fetch(`${gw.url}/health`);
    assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(await generated.json(), { status: 'ok' });
  });

  test('unknown routes get an OpenAI-shaped 404; no secret reaches the logs', async () => {
    const res = await fetch(`${gw.url}/v1/nothing-here`, { headers: { authorization: `Bearer ${TEAM_KEY}` } });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { type: string } }).error.type, 'not_found_error');
    const text = gw.logText();
    for (const secret of [TEAM_KEY, LIMITED_KEY, PROVIDER_KEY_1, PROVIDER_KEY_2, 'sk-provider-two-second-333333']) assert.ok(!text.includes(secret), `log leaked ${secret}`);
    const access = gw.logs.filter((l) => l['msg'] === 'request');
    assert.ok(access.length > 10);
    const streamed = access.find((l) => l['stream'] === true && l['status'] === 200);
    for (const field of ['reqId', 'method', 'path', 'status', 'durationMs', 'key', 'model', 'provider', 'upstreamModel', 'attempts', 'stream', 'ttfbMs', 'overheadMs']) {
      assert.ok(streamed !== undefined && field in streamed, `access line lacks ${field}`);
    }
  });
});
