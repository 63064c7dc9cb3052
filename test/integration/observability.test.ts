import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { startMockOpenAI, type MockUpstream } from '../helpers/mock-openai.ts';

const CLIENT_KEY = 'sk-client-observability-abcdef123456';
const PROVIDER_KEY = 'sk-provider-observability-zyxwvu987654';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition → samples; throws on a line that is not valid exposition format. */
function parseProm(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/i.exec(line);
    assert.ok(m, `not Prometheus text: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = l[2] as string;
    samples.push({ name: m[1] as string, labels, value: Number(m[4]) });
  }
  return samples;
}

function sum(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

describe('logs, metrics and CORS', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    mock = await startMockOpenAI({ name: 'obs', models: ['gpt-4o-mini'] });
    gw = await startGateway({
      server: { cors: { origins: ['https://app.example.com'] } },
      auth: { api_keys: [{ key: CLIENT_KEY, name: 'team-obs' }] },
      providers: [{ name: 'obs', base_url: `${mock.url}/v1`, api_key: PROVIDER_KEY, models: ['gpt-4o-mini', '*'] }],
      health_check: { enabled: false },
    });
    client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  });

  after(async () => {
    await gw.close();
    await mock.close();
  });

  const metrics = async () => {
    const res = await fetch(`${gw.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    return { text, samples: parseProm(text) };
  };

  test('counters move by exactly the requests and tokens sent, streamed or not', async () => {
    const before = (await metrics()).samples;
    const labels = { route: '/v1/chat/completions', model: 'gpt-4o-mini', provider: 'obs', status: '200' };
    for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'x' }] });
    for await (const _ of stream) void _;
    const after = (await metrics()).samples;
    assert.equal(sum(after, 'llmux_requests_total', labels) - sum(before, 'llmux_requests_total', labels), 4);
    const tokens = (type: string, s: Sample[]) => sum(s, 'llmux_tokens_total', { key: 'team-obs', model: 'gpt-4o-mini', provider: 'obs', type });
    assert.equal(tokens('prompt', after) - tokens('prompt', before), 4 * 11, 'prompt tokens, the stream counted from its usage chunk');
    assert.equal(tokens('completion', after) - tokens('completion', before), 4 * 7);
    assert.equal(sum(after, 'llmux_time_to_first_token_seconds_count', { model: 'gpt-4o-mini', provider: 'obs' }) - sum(before, 'llmux_time_to_first_token_seconds_count', { model: 'gpt-4o-mini', provider: 'obs' }), 1);
    assert.equal(sum(after, 'llmux_overhead_seconds_count', { route: '/v1/chat/completions' }) - sum(before, 'llmux_overhead_seconds_count', { route: '/v1/chat/completions' }), 4);
    for (const name of ['llmux_request_duration_seconds_bucket', 'llmux_upstream_duration_seconds_bucket', 'llmux_inflight_requests', 'llmux_inflight_streams', 'llmux_circuit_state', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) {
      assert.ok(after.some((s) => s.name === name), `missing ${name}`);
    }
    assert.equal(sum(after, 'llmux_circuit_state', { provider: 'obs' }), 0);
    assert.equal(sum(after, 'llmux_inflight_requests'), 0);
  });

  test('unknown model names collapse into one label value', async () => {
    for (const name of ['made-up-1', 'made-up-2', 'made-up-3']) await client.chat.completions.create({ model: name, messages: [{ role: 'user', content: 'x' }] });
    const { samples } = await metrics();
    const models = new Set(samples.filter((s) => s.name === 'llmux_requests_total').map((s) => s.labels['model']));
    assert.ok(!models.has('made-up-1'));
    assert.ok(models.has('other'));
  });

  test('rate-limited and error answers are counted too', async () => {
    const before = (await metrics()).samples;
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${CLIENT_KEY}` }, body: '{bad json' });
    assert.equal(res.status, 400);
    const after = (await metrics()).samples;
    assert.equal(sum(after, 'llmux_requests_total', { route: '/v1/chat/completions', status: '400' }) - sum(before, 'llmux_requests_total', { route: '/v1/chat/completions', status: '400' }), 1);
  });

  test('every access line has the SPEC fields; the request id is on every line of its request', async () => {
    const reqId = 'obs-trace-0001';
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-request-id': reqId } });
    for await (const _ of stream) void _;
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-request-id': `${reqId}-b` } });
    const lines = gw.logs.filter((l) => l['reqId'] === reqId || l['reqId'] === `${reqId}-b`);
    assert.equal(lines.length, 2);
    for (const line of lines) {
      for (const field of ['time', 'reqId', 'method', 'path', 'status', 'durationMs', 'key', 'model', 'provider', 'upstreamModel', 'attempts', 'stream', 'promptTokens', 'completionTokens', 'ttfbMs', 'overheadMs']) {
        assert.ok(field in line, `access line lacks ${field}: ${JSON.stringify(line)}`);
      }
      assert.equal(line['key'], 'team-obs');
      assert.equal(line['provider'], 'obs');
      assert.equal(line['promptTokens'], 11);
    }
    assert.deepEqual(lines.map((l) => l['stream']), [true, false]);
  });

  test('CORS preflight is answered for an allowed origin, and answers carry the CORS headers', async () => {
    const preflight = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-stainless-os' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/);
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { origin: 'https://app.example.com', authorization: `Bearer ${CLIENT_KEY}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.match(res.headers.get('access-control-expose-headers') ?? '', /x-request-id/);
    const other = await fetch(`${gw.url}/v1/models`, { headers: { origin: 'https://evil.example.com', authorization: `Bearer ${CLIENT_KEY}` } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  test('no configured secret appears in logs, error bodies or /metrics', async () => {
    const bad = await fetch(`${gw.url}/v1/chat/completions?key=${CLIENT_KEY}x`, { method: 'POST', body: '{}' });
    const badBody = await bad.text();
    const { text } = await metrics();
    const models = await (await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } })).text();
    for (const secret of [CLIENT_KEY, PROVIDER_KEY]) {
      assert.ok(!gw.logText().includes(secret), 'log');
      assert.ok(!badBody.includes(secret), 'error body');
      assert.ok(!text.includes(secret), '/metrics');
      assert.ok(!models.includes(secret), 'model list');
    }
    assert.ok(gw.logText().includes('key=[redacted]'), 'the ?key= query is redacted in the logged path');
  });
});
