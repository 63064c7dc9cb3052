import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { topLevelFields } from '../../src/core/json-scan.ts';
import { LAZY_BODY_BYTES } from '../../src/server/body.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { startMockAnthropic } from '../helpers/mock-anthropic.ts';
import { startMockOpenAI, type MockUpstream } from '../helpers/mock-openai.ts';

describe('topLevelFields (table)', () => {
  const names = ['model', 'stream', 'messages'];
  const cases: Array<[string, string, Record<string, string> | undefined]> = [
    ['plain', '{"model":"a","stream":true,"messages":[1]}', { model: '"a"', stream: 'true', messages: '[1]' }],
    ['spaces and other fields between', ' {\n "n" : 1 , "model" : "b" ,\t"o":{"model":"inner"} } ', { model: '"b"' }],
    ['quotes and brackets inside strings', '{"messages":[{"c":"x]}\\"{"}],"model":"m\\"q"}', { messages: '[{"c":"x]}\\"{"}]', model: '"m\\"q"' }],
    ['nested objects are skipped whole', '{"a":{"model":"no","b":[{"stream":true}]},"stream":false}', { stream: 'false' }],
    ['an empty object', '{}', {}],
    ['a top-level array is not an object', '[{"model":"a"}]', undefined],
    ['a trailing comma is left to the parser', '{"model":"a",}', undefined],
    ['an escaped key is left to the parser', '{"mod\\u0065l":"a"}', undefined],
    ['an unterminated string', '{"model":"a', undefined],
    ['garbage after the object', '{"model":"a"} x', undefined],
  ];
  for (const [name, text, expected] of cases) {
    test(name, () => {
      const buf = Buffer.from(text);
      const found = topLevelFields(buf, names);
      assert.deepEqual(found === undefined ? undefined : Object.fromEntries([...found].map(([k, s]) => [k, buf.toString('utf8', s.start, s.end)])), expected);
    });
  }
});

/** A coding agent's turn: hundreds of KB of history, laid out as the client likes (here: spaces, `model` last). */
function largeBody(model: string, extra: Record<string, unknown> = {}): string {
  const messages = Array.from({ length: 60 }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: `line ${i}: ${'the file we are reading, unchanged. '.repeat(150)}` }));
  const fields = { messages, temperature: 0.2, ...extra, model };
  return `{ ${Object.entries(fields).map(([k, v]) => `${JSON.stringify(k)} : ${JSON.stringify(v)}`).join(' ,\n  ')} }`;
}

describe('large chat bodies: routed by the fields they need, their bytes forwarded as they came', () => {
  let gw: TestGateway;
  let oai: MockUpstream;
  let ant: MockUpstream;
  const KEY = 'sk-large-body-0123456789';
  const NARROW = 'sk-narrow-key-0123456789';

  before(async () => {
    oai = await startMockOpenAI({
      name: 'oa',
      // As OpenAI answers a body it cannot parse.
      handler: (req, res) => {
        if (req.method !== 'POST' || req.body !== undefined) return false;
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } }));
        return true;
      },
    });
    ant = await startMockAnthropic({ name: 'an' });
    gw = await startGateway({
      auth: { api_keys: [{ key: KEY, name: 'a' }, { key: NARROW, name: 'narrow', models: ['claude-*'] }] },
      health_check: { enabled: false },
      routing: { aliases: { 'big-alias': 'oa/gpt-4o-mini' } },
      providers: [
        { name: 'oa', type: 'openai', base_url: `${oai.url}/v1`, api_key: 'sk-oa-0000', models: ['gpt-4o-mini'] },
        { name: 'an', type: 'anthropic', base_url: ant.url, api_key: 'sk-ant-0000', models: ['claude-sonnet-4'] },
      ],
    });
  });
  after(async () => {
    await gw.close();
    await oai.close();
    await ant.close();
  });

  async function post(body: string, key = KEY): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }
  const message = (json: Record<string, unknown>): string => String(((json['error'] ?? {}) as Record<string, unknown>)['message']);

  test('an unchanged request reaches the provider byte for byte', async () => {
    const body = largeBody('gpt-4o-mini');
    assert.ok(Buffer.byteLength(body) > 4 * LAZY_BODY_BYTES);
    const { status, json } = await post(body);
    assert.equal(status, 200);
    assert.match(JSON.stringify(json['choices']), /Hello from oa/);
    assert.equal(oai.requests.at(-1)?.text, body);
  });

  test('an alias is rewritten to the upstream model, the rest of the body unchanged', async () => {
    const body = largeBody('big-alias');
    const { status } = await post(body);
    assert.equal(status, 200);
    const sent = oai.requests.at(-1)?.body;
    assert.equal(sent?.['model'], 'gpt-4o-mini');
    assert.deepEqual({ ...sent, model: 'big-alias' }, JSON.parse(body));
  });

  test('a stream asks the provider for usage, and the official SDK reads it whole', async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY });
    const parsed = JSON.parse(largeBody('gpt-4o-mini')) as { messages: OpenAI.ChatCompletionMessageParam[] };
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: parsed.messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.match(text, /Hello from oa/);
    assert.deepEqual(oai.requests.at(-1)?.body?.['stream_options'], { include_usage: true });
  });

  test('a large request converted for another protocol is parsed and converted as any other', async () => {
    const { status, json } = await post(largeBody('claude-sonnet-4'));
    assert.equal(status, 200);
    assert.match(JSON.stringify(json['choices']), /Hello from an/);
    const sent = ant.requests.at(-1)?.body;
    assert.equal((sent?.['messages'] as unknown[]).length, 60);
  });

  test('bad fields get the same 400s as in a small body, and nothing goes upstream', async () => {
    const before = oai.requests.length;
    const cases: Array<[string, RegExp]> = [
      [largeBody('gpt-4o-mini').replace('"messages" :', '"history" :'), /'messages'/],
      [`{"messages": [], "padding": "${'x'.repeat(LAZY_BODY_BYTES)}", "model": "gpt-4o-mini"}`, /at least one message/],
      [largeBody('gpt-4o-mini', { stream: 'yes' }), /'stream'/],
      [largeBody('').replace('"model" : ""', '"model" : 7'), /'model'/],
      [`${largeBody('gpt-4o-mini').slice(0, -1)}, "model": "x"}`, /"model" more than once/],
    ];
    for (const [body, expected] of cases) {
      const { status, json } = await post(body);
      assert.equal(status, 400, body.slice(-80));
      assert.match(message(json), expected);
    }
    assert.equal(oai.requests.length, before);
  });

  test("the key's model allow-list applies to the model read from the bytes", async () => {
    const before = oai.requests.length;
    const { status } = await post(largeBody('gpt-4o-mini'), NARROW);
    assert.ok(status === 403 || status === 404, String(status));
    assert.equal(oai.requests.length, before);
  });

  test('invalid JSON: at the top level a 400 from llmux; inside a message forwarded unchanged (the provider says so), or parsed when a field must change', async () => {
    const before = oai.requests.length;
    const top = await post(largeBody('gpt-4o-mini').replace('"temperature" : 0.2', '"temperature" : 0.2,,'));
    assert.equal(top.status, 400);
    assert.match(message(top.json), /not valid JSON/);
    assert.equal(oai.requests.length, before);
    const broken = largeBody('gpt-4o-mini').replace('"role":"user",', '"role":"user",,');
    const forwarded = await post(broken);
    assert.equal(forwarded.status, 400);
    assert.match(message(forwarded.json), /could not parse the JSON body/);
    assert.equal(oai.requests.at(-1)?.text, broken);
    const sent = oai.requests.length;
    const renamed = await post(broken.replace('"model" : "gpt-4o-mini"', '"model" : "big-alias"'));
    assert.equal(renamed.status, 400);
    assert.match(message(renamed.json), /not valid JSON/);
    assert.equal(oai.requests.length, sent);
  });
});
