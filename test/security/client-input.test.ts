import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { scanJson } from '../../src/core/json-scan.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { startMockAnthropic } from '../helpers/mock-anthropic.ts';
import { startMockGemini } from '../helpers/mock-gemini.ts';
import { startMockOpenAI } from '../helpers/mock-openai.ts';
import type { MockUpstream } from '../helpers/recording-server.ts';

/**
 * What a client sends is the client's problem: a 4xx to that client, never a 500, never a failure
 * booked against a provider (three of them used to open a provider's circuit for every tenant),
 * never unbounded work.
 */

describe('scanJson (table)', () => {
  const cases: Array<[string, string, { tooDeep: boolean; duplicateKey: string | undefined }]> = [
    ['flat', '{"model":"a","stream":true}', { tooDeep: false, duplicateKey: undefined }],
    ['a duplicate top-level key', '{"model":"a","x":1,"model":"b"}', { tooDeep: false, duplicateKey: 'model' }],
    ['a duplicate spelled with an escape', '{"model":"a","mod\\u0065l":"b"}', { tooDeep: false, duplicateKey: 'model' }],
    ['the same key at two levels is fine', '{"model":"a","m":{"model":"b"},"n":[{"model":1}]}', { tooDeep: false, duplicateKey: undefined }],
    ['a key inside a string is not a key', '{"t":"\\",\\"t\\":1","u":"{\\"t\\":2}"}', { tooDeep: false, duplicateKey: undefined }],
    ['escaped backslash before a quote', '{"t":"a\\\\","t2":1}', { tooDeep: false, duplicateKey: undefined }],
    ['brackets inside strings do not count', `{"t":"${'['.repeat(2000)}"}`, { tooDeep: false, duplicateKey: undefined }],
    ['512 levels pass', `${'['.repeat(512)}${']'.repeat(512)}`, { tooDeep: false, duplicateKey: undefined }],
    ['513 levels do not', `${'['.repeat(513)}${']'.repeat(513)}`, { tooDeep: true, duplicateKey: undefined }],
    ['a top-level array has no keys', '[{"a":1},{"a":2}]', { tooDeep: false, duplicateKey: undefined }],
  ];
  for (const [name, text, expected] of cases) test(name, () => assert.deepEqual(scanJson(Buffer.from(text)), expected));
});

let gw: TestGateway;
let gem: MockUpstream;
let oai: MockUpstream;
let ant: MockUpstream;
const KEY = 'sk-tenant-a-0123456789';
const OTHER = 'sk-tenant-b-0123456789';

before(async () => {
  gem = await startMockGemini({ name: 'gm' });
  oai = await startMockOpenAI({ name: 'oa' });
  ant = await startMockAnthropic({ name: 'an' });
  gw = await startGateway({
    auth: {
      api_keys: [
        { key: KEY, name: 'a', models: ['gem-1', 'gpt-4o-mini', 'claude-sonnet-4', 'cheap-model'] },
        { key: OTHER, name: 'b' },
      ],
    },
    health_check: { enabled: false, failure_threshold: 3 },
    providers: [
      { name: 'gm', type: 'gemini', base_url: gem.url, api_key: 'AIza-gm-0000', models: ['gem-1'] },
      { name: 'oa', type: 'openai', base_url: `${oai.url}/v1`, api_key: 'sk-oa-0000', models: ['gpt-4o-mini', 'cheap-model', 'expensive-model'] },
      { name: 'an', type: 'anthropic', base_url: ant.url, api_key: 'sk-ant-0000', models: ['claude-sonnet-4'] },
    ],
  });
});
after(async () => {
  await gw.close();
  await gem.close();
  await oai.close();
  await ant.close();
});

async function post(path: string, body: string, key = KEY): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'anthropic-version': '2023-06-01' }, body });
  const text = await res.text();
  return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

const geminiBody = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });

describe('a client cannot open a provider circuit', () => {
  test('unknown Gemini methods named after Object.prototype members are 404 and never reach the provider', async () => {
    const before = gem.requests.length;
    for (const method of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'constructor', 'valueOf']) {
      const { status, json } = await post(`/v1beta/models/gem-1:${method}`, geminiBody);
      assert.equal(status, 404, method);
      assert.match(String((json['error'] as Record<string, unknown>)['message']), /Unknown method/);
    }
    assert.equal(gem.requests.length, before);
    const ready = await fetch(`${gw.url}/ready`);
    assert.equal(ready.status, 200);
    const ok = await post('/v1beta/models/gem-1:generateContent', geminiBody, OTHER);
    assert.equal(ok.status, 200);
  });

  test('a lone surrogate in a model name is a 400 on every front door', async () => {
    for (const [path, body] of [
      ['/v1/chat/completions', '{"model":"gm/\\ud800","messages":[{"role":"user","content":"hi"}]}'],
      ['/v1/completions', '{"model":"gm/\\ud800","prompt":"hi"}'],
      ['/v1/embeddings', '{"model":"gm/\\udc00x","input":"hi"}'],
      ['/v1/messages', '{"model":"gm/\\ud800","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}'],
      ['/v1/messages/count_tokens', '{"model":"gm/\\ud800","messages":[{"role":"user","content":"hi"}]}'],
    ] as const) {
      for (let i = 0; i < 2; i++) {
        const { status } = await post(path, body, OTHER);
        assert.equal(status, 400, path);
      }
    }
    assert.equal((await fetch(`${gw.url}/ready`)).status, 200);
  });

  test('a Gemini model path is decoded once: %25 stays a percent sign and a bad escape is no 500', async () => {
    const { status } = await post('/v1beta/models/%25E0%25A4%25A:generateContent', geminiBody, OTHER);
    assert.equal(status, 404);
    const bad = await post('/v1beta/models/%E0%A4:generateContent', geminiBody, OTHER);
    assert.equal(bad.status, 400);
    const getOne = await fetch(`${gw.url}/v1beta/models/%25E0%25A4%25A`, { headers: { authorization: `Bearer ${OTHER}` } });
    assert.equal(getOne.status, 404);
  });
});

describe('bounded work and bad shapes', () => {
  test('100,000 nested arrays on pass-through, and a 50,000-deep Anthropic tool schema, are 400s', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const a = await post('/v1/chat/completions', `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"x":${deep}}`);
    assert.equal(a.status, 400);
    assert.match(String((a.json['error'] as Record<string, unknown>)['message']), /deeper than 512/);
    let schema = '{"type":"string"}';
    for (let i = 0; i < 50_000; i++) schema = `{"type":"object","properties":{"a":${schema}}}`;
    const b = await post('/v1/messages', `{"model":"gem-1","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"t","input_schema":${schema}}]}`);
    assert.equal(b.status, 400);
    assert.equal((b.json['error'] as Record<string, unknown>)['type'], 'invalid_request_error');
  });

  test('a $ref fan-out in a tool schema converted for Gemini is a 400 at once, nothing goes upstream', async () => {
    const defs: Record<string, unknown> = {};
    const K = 8;
    for (let d = 0; d < 7; d++) {
      const props: Record<string, unknown> = {};
      for (let k = 0; k < K; k++) props[`p${k}`] = d === 6 ? { type: 'string' } : { $ref: `#/$defs/D${d + 1}` };
      defs[`D${d}`] = { type: 'object', properties: props };
    }
    const body = JSON.stringify({ model: 'gem-1', messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 't', parameters: { $ref: '#/$defs/D0', $defs: defs } } }] });
    assert.ok(body.length < 3000);
    const before = gem.requests.length;
    const started = performance.now();
    const { status, json } = await post('/v1/chat/completions', body);
    const ms = performance.now() - started;
    assert.equal(status, 400);
    assert.match(String((json['error'] as Record<string, unknown>)['message']), /expands through \$ref/);
    assert.ok(ms < 1000, `took ${ms} ms`);
    assert.equal(gem.requests.length, before);
  });

  test('a duplicate top-level "model" is a 400: the upstream cannot read another model than the one checked', async () => {
    const before = oai.requests.length;
    const { status, json } = await post('/v1/chat/completions', '{"model":"expensive-model","messages":[{"role":"user","content":"hi"}],"model":"cheap-model"}');
    assert.equal(status, 400);
    assert.match(String((json['error'] as Record<string, unknown>)['message']), /"model" more than once/);
    const escaped = await post('/v1/chat/completions', '{"model":"expensive-model","messages":[{"role":"user","content":"hi"}],"mod\\u0065l":"cheap-model"}');
    assert.equal(escaped.status, 400);
    assert.equal(oai.requests.length, before);
    const plain = await post('/v1/chat/completions', '{"model":"cheap-model","messages":[{"role":"user","content":"hi"}]}');
    assert.equal(plain.status, 200);
  });

  test('prototype names from the client are not lookup keys: effort "__proto__" is a 400, schema type "constructor" is no type, a "__proto__" property survives', async () => {
    for (const effort of ['__proto__', 'constructor', 'toString']) {
      const { status } = await post('/v1/messages', JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }], output_config: { effort } }));
      assert.equal(status, 400, effort);
    }
    const body = `{"model":"gem-1","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"t","parameters":{"type":"object","properties":{"__proto__":{"type":"string"},"c":{"type":"constructor"},"d":{"type":"__proto__"}}}}}]}`;
    const { status } = await post('/v1/chat/completions', body);
    assert.equal(status, 200);
    const sent = gem.requests.at(-1)?.text ?? '';
    const decl = (JSON.parse(sent) as { tools: Array<{ functionDeclarations: Array<{ parameters: { properties: Record<string, unknown> } }> }> }).tools[0]?.functionDeclarations[0];
    const props = decl?.parameters.properties ?? {};
    assert.ok(Object.hasOwn(props, '__proto__'), sent);
    assert.deepEqual(props['__proto__'], { type: 'STRING' });
    assert.deepEqual(props['c'], {});
    assert.deepEqual(props['d'], {});
  });
});
