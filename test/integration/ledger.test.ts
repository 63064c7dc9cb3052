import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import type { UsageRecord } from '../../src/ledger/record.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { startMockOpenAI, type MockUpstream, type RecordedRequest } from '../helpers/mock-openai.ts';

const TEAM_A = 'sk-team-a-ledger-0123456789abcdef';
const TEAM_B = 'sk-team-b-ledger-fedcba9876543210';
const SPENDER = 'sk-spender-ledger-aaaabbbbccccdddd';
const ADMIN = 'sk-admin-ledger-9999888877776666';
const PROVIDER_KEY = 'sk-provider-ledger-5555444433332222';
const SECRETS = [TEAM_A, TEAM_B, SPENDER, ADMIN, PROVIDER_KEY];

/** What the upstream bills: cached prompt tokens and reasoning tokens included, as OpenAI reports them. */
const USAGE = { prompt_tokens: 100, completion_tokens: 40, total_tokens: 140, prompt_tokens_details: { cached_tokens: 30 }, completion_tokens_details: { reasoning_tokens: 12 } };
/** USD per 1M tokens, from usage.prices. */
const PRICE = { input: 2, output: 8, cached_input: 0.5 };
const COST = (70 * PRICE.input + 30 * PRICE.cached_input + 40 * PRICE.output) / 1e6;

/** An OpenAI upstream that reports cached and reasoning tokens, in answers and in stream usage chunks. */
function billingUpstream(req: RecordedRequest, res: ServerResponse): boolean {
  if (req.method !== 'POST' || req.path !== '/v1/chat/completions') return false;
  const base = { id: 'chatcmpl-ledger', created: 1700000000, model: 'mock-model' };
  if (req.body?.['stream'] !== true) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'Counted.' }, finish_reason: 'stop' }], usage: USAGE }));
    return true;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = (body: Record<string, unknown>): string => `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', ...body })}\n\n`;
  res.write(chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Coun' }, finish_reason: null }] }));
  res.write(chunk({ choices: [{ index: 0, delta: { content: 'ted.' }, finish_reason: 'stop' }] }));
  res.write(chunk({ choices: [], usage: USAGE }));
  res.end('data: [DONE]\n\n');
  return true;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('usage ledger, budgets, virtual keys and the admin API (SDKs -> llmux -> mock upstream)', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  const adminText: string[] = [];

  const admin = async (path: string, init: RequestInit = {}, key = ADMIN): Promise<Response> => {
    const res = await fetch(`${gw.url}/admin${path}`, { ...init, headers: { authorization: `Bearer ${key}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...((init.headers as Record<string, string> | undefined) ?? {}) } });
    return res;
  };
  const adminJson = async (path: string, init: RequestInit = {}): Promise<Record<string, unknown>> => {
    const res = await admin(path, init);
    const text = await res.text();
    adminText.push(text);
    assert.ok(res.ok, `${path}: ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const records = async (query = ''): Promise<UsageRecord[]> => (await adminJson(`/requests?limit=1000${query}`))['data'] as UsageRecord[];
  /** Records whose request ids are the given ones, once all of them are written. */
  const recordsFor = (ids: string[]): Promise<UsageRecord[]> =>
    waitFor(`records ${ids.join(',')}`, async () => {
      const all = await records();
      const found = ids.map((id) => all.find((r) => r.request_id === id));
      return found.every((r) => r !== undefined) ? (found as UsageRecord[]) : undefined;
    });

  before(async () => {
    mock = await startMockOpenAI({ name: 'bill', models: ['mock-model'], handler: billingUpstream });
    gw = await startGateway({
      auth: {
        api_keys: [
          { key: TEAM_A, name: 'team-a' },
          { key: TEAM_B, name: 'team-b', rpm: 2 },
          // Each request costs COST (0.000475): the third one finds the day's budget spent.
          { key: SPENDER, name: 'spender', budget: { usd: 0.0006, period: 'day' } },
        ],
      },
      admin: { api_keys: [ADMIN] },
      providers: [{ name: 'bill', base_url: `${mock.url}/v1`, api_key: PROVIDER_KEY, models: ['mock-model', 'unpriced-model'] }],
      usage: { path: `${(await import('node:fs')).mkdtempSync(`${(await import('node:os')).tmpdir()}/llmux-ledger-it-`)}/usage.db`, flush_interval: '100ms', prices: { 'mock-model': PRICE } },
      health_check: { enabled: false },
    });
  });

  after(async () => {
    await gw.close();
    await mock.close();
  });

  test('every client protocol leaves one record with the answer\'s exact tokens and its cost, streams included', async () => {
    const ids: string[] = [];
    const openai = new OpenAI({ apiKey: TEAM_A, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const plain = await openai.chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': 'led-openai' } });
    ids.push('led-openai');
    assert.equal(plain.usage?.prompt_tokens, 100);
    const stream = await openai.chat.completions.create({ model: 'mock-model', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': 'led-openai-stream' } });
    let streamUsage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream) if (c.usage) streamUsage = c.usage;
    ids.push('led-openai-stream');
    assert.equal(streamUsage?.completion_tokens, 40);

    const anthropic = new Anthropic({ apiKey: TEAM_A, baseURL: gw.url, maxRetries: 0 });
    const msg = await anthropic.messages.create({ model: 'mock-model', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': 'led-anthropic' } });
    ids.push('led-anthropic');
    const anthStream = anthropic.messages.stream({ model: 'mock-model', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': 'led-anthropic-stream' } });
    const anthFinal = await anthStream.finalMessage();
    ids.push('led-anthropic-stream');

    const gemini = new GoogleGenAI({ apiKey: TEAM_A, httpOptions: { baseUrl: gw.url, headers: { 'x-request-id': 'led-gemini' } } });
    const gen = await gemini.models.generateContent({ model: 'mock-model', contents: 'hi' });
    ids.push('led-gemini');
    const geminiS = new GoogleGenAI({ apiKey: TEAM_A, httpOptions: { baseUrl: gw.url, headers: { 'x-request-id': 'led-gemini-stream' } } });
    let genStreamUsage: { promptTokenCount?: number; candidatesTokenCount?: number; thoughtsTokenCount?: number } | undefined;
    for await (const c of await geminiS.models.generateContentStream({ model: 'mock-model', contents: 'hi' })) if (c.usageMetadata) genStreamUsage = c.usageMetadata;
    ids.push('led-gemini-stream');

    const respClient = new OpenAI({ apiKey: TEAM_A, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const resp = await respClient.responses.create({ model: 'mock-model', input: 'hi', store: false }, { headers: { 'x-request-id': 'led-responses' } });
    ids.push('led-responses');
    const respStream = respClient.responses.stream({ model: 'mock-model', input: 'hi', store: false }, { headers: { 'x-request-id': 'led-responses-stream' } });
    const respFinal = await respStream.finalResponse();
    ids.push('led-responses-stream');

    const recs = await recordsFor(ids);
    const byId = new Map(recs.map((r) => [r.request_id, r]));
    // What each answer said, in its own protocol's terms, read back into prompt/completion/cached/reasoning.
    const answered: Record<string, { prompt: number; completion: number; cached: number | undefined; reasoning: number | undefined }> = {
      'led-openai': { prompt: plain.usage?.prompt_tokens ?? -1, completion: plain.usage?.completion_tokens ?? -1, cached: plain.usage?.prompt_tokens_details?.cached_tokens, reasoning: plain.usage?.completion_tokens_details?.reasoning_tokens },
      'led-openai-stream': { prompt: streamUsage?.prompt_tokens ?? -1, completion: streamUsage?.completion_tokens ?? -1, cached: streamUsage?.prompt_tokens_details?.cached_tokens, reasoning: streamUsage?.completion_tokens_details?.reasoning_tokens },
      'led-anthropic': { prompt: msg.usage.input_tokens + (msg.usage.cache_read_input_tokens ?? 0) + (msg.usage.cache_creation_input_tokens ?? 0), completion: msg.usage.output_tokens, cached: msg.usage.cache_read_input_tokens ?? undefined, reasoning: undefined },
      'led-anthropic-stream': { prompt: anthFinal.usage.input_tokens + (anthFinal.usage.cache_read_input_tokens ?? 0) + (anthFinal.usage.cache_creation_input_tokens ?? 0), completion: anthFinal.usage.output_tokens, cached: anthFinal.usage.cache_read_input_tokens ?? undefined, reasoning: undefined },
      'led-gemini': { prompt: gen.usageMetadata?.promptTokenCount ?? -1, completion: (gen.usageMetadata?.candidatesTokenCount ?? 0) + (gen.usageMetadata?.thoughtsTokenCount ?? 0), cached: gen.usageMetadata?.cachedContentTokenCount, reasoning: gen.usageMetadata?.thoughtsTokenCount },
      'led-responses': { prompt: resp.usage?.input_tokens ?? -1, completion: resp.usage?.output_tokens ?? -1, cached: resp.usage?.input_tokens_details.cached_tokens, reasoning: resp.usage?.output_tokens_details.reasoning_tokens },
      'led-responses-stream': { prompt: respFinal.usage?.input_tokens ?? -1, completion: respFinal.usage?.output_tokens ?? -1, cached: respFinal.usage?.input_tokens_details.cached_tokens, reasoning: respFinal.usage?.output_tokens_details.reasoning_tokens },
      'led-gemini-stream': { prompt: genStreamUsage?.promptTokenCount ?? -1, completion: (genStreamUsage?.candidatesTokenCount ?? 0) + (genStreamUsage?.thoughtsTokenCount ?? 0), cached: undefined, reasoning: genStreamUsage?.thoughtsTokenCount },
    };
    const protocols: Record<string, string> = { 'led-openai': 'openai', 'led-anthropic': 'anthropic', 'led-gemini': 'gemini', 'led-responses': 'responses' };
    for (const id of ids) {
      const r = byId.get(id);
      const a = answered[id];
      assert.ok(r !== undefined && a !== undefined, id);
      assert.equal(r.prompt_tokens, a.prompt, `${id} prompt tokens`);
      assert.equal(r.prompt_tokens, 100, id);
      assert.equal(r.completion_tokens, a.completion, `${id} completion tokens`);
      assert.equal(r.completion_tokens, 40, id);
      if (a.cached !== undefined) assert.equal(r.cached_tokens, a.cached, `${id} cached`);
      if (a.reasoning !== undefined) assert.equal(r.reasoning_tokens, a.reasoning, `${id} reasoning`);
      assert.equal(r.cached_tokens, 30, id);
      assert.equal(r.key, 'team-a');
      assert.equal(r.client_protocol, protocols[id.replace('-stream', '')]);
      assert.equal(r.stream, id.endsWith('-stream'));
      assert.equal(r.status, 200);
      assert.equal(r.provider, 'bill');
      assert.equal(r.model, 'mock-model');
      assert.equal(r.attempts, 1);
      assert.equal(r.priced, true);
      assert.ok(Math.abs(r.cost_usd - COST) < 1e-12, `${id} cost ${r.cost_usd} != ${COST}`);
      assert.ok(r.duration_ms > 0 && (r.ttfb_ms ?? 0) > 0);
    }
  });

  test('refusals are recorded with their status and error type; ops and admin routes are not', async () => {
    const bad = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-wrong', 'content-type': 'application/json', 'x-request-id': 'led-401' }, body: '{"model":"mock-model","messages":[]}' });
    assert.equal(bad.status, 401);
    const unknown = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TEAM_A}`, 'content-type': 'application/json', 'x-request-id': 'led-404' }, body: '{"model":"no-such-model","messages":[{"role":"user","content":"x"}]}' });
    assert.equal(unknown.status, 404);
    const limited: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TEAM_B}`, 'content-type': 'application/json', 'x-request-id': `led-rpm-${i}` }, body: '{"model":"mock-model","messages":[{"role":"user","content":"x"}]}' });
      limited.push(r.status);
      await r.text();
    }
    assert.deepEqual(limited, [200, 200, 429]);
    const unpriced = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TEAM_A}`, 'content-type': 'application/json', 'x-request-id': 'led-unpriced' }, body: '{"model":"unpriced-model","messages":[{"role":"user","content":"x"}]}' });
    assert.equal(unpriced.status, 200);
    await fetch(`${gw.url}/health`, { headers: { 'x-request-id': 'led-health' } });
    await fetch(`${gw.url}/metrics`, { headers: { 'x-request-id': 'led-metrics' } });
    const [r401, r404, r429, rUnpriced] = await recordsFor(['led-401', 'led-404', 'led-rpm-2', 'led-unpriced']);
    assert.equal(r401?.status, 401);
    assert.equal(r401?.error_type, 'unauthorized');
    assert.equal(r401?.key, null);
    assert.equal(r404?.status, 404);
    assert.equal(r404?.error_type, 'model_not_found');
    assert.equal(r429?.status, 429);
    assert.equal(r429?.error_type, 'rate_limited');
    assert.equal(r429?.key, 'team-b');
    assert.equal(rUnpriced?.priced, false, 'a model with no known price is marked unpriced');
    assert.equal(rUnpriced?.cost_usd, 0);
    const all = await records();
    assert.ok(!all.some((r) => ['led-health', 'led-metrics'].includes(r.request_id) || r.route.startsWith('/admin')));
  });

  test('a budget trips with insufficient_quota in every protocol; other keys go on', async () => {
    const openai = new OpenAI({ apiKey: SPENDER, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'x' }] });
    await openai.chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'x' }] });
    // 2 x 0.000475 = 0.00095 >= 0.0006: spent, even before the records are flushed.
    const refused = await openai.chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'x' }] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(refused instanceof OpenAI.APIError, String(refused));
    assert.equal(refused.status, 429);
    assert.equal((refused.error as { type?: string }).type, 'insufficient_quota');
    assert.equal(refused.code, 'insufficient_quota');
    const anth = await fetch(`${gw.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': SPENDER, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mock-model', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }) });
    assert.equal(anth.status, 429);
    assert.equal(((await anth.json()) as { error: { type: string } }).error.type, 'rate_limit_error');
    const gem = await fetch(`${gw.url}/v1beta/models/mock-model:generateContent`, { method: 'POST', headers: { 'x-goog-api-key': SPENDER, 'content-type': 'application/json' }, body: JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }) });
    assert.equal(gem.status, 429);
    assert.equal(((await gem.json()) as { error: { status: string } }).error.status, 'RESOURCE_EXHAUSTED');
    // Another key is not touched by this one's budget.
    const other = new OpenAI({ apiKey: TEAM_A, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    assert.equal((await other.chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'x' }] })).usage?.prompt_tokens, 100);
    // Once written, the store's spend says the same; the key list shows it against the budget.
    await waitFor('spend in the key list', async () => {
      const keys = (await adminJson('/keys'))['data'] as Array<{ id: string; spend_usd: number; budget: unknown; source: string }>;
      const s = keys.find((k) => k.id === 'spender');
      return s !== undefined && Math.abs(s.spend_usd - 2 * COST) < 1e-9 ? s : undefined;
    });
    const refused3 = await waitFor('the refusals on record', async () => {
      const r = await records('&key=spender&status=429');
      return r.length === 3 ? r : undefined;
    });
    assert.deepEqual(refused3.map((r) => r.error_type), ['insufficient_quota', 'insufficient_quota', 'insufficient_quota']);
    assert.deepEqual(refused3.map((r) => r.client_protocol).sort(), ['anthropic', 'gemini', 'openai']);
  });

  test('/admin/usage sums the records by key and model, with totals', async () => {
    const all = await records();
    const body = await adminJson('/usage?group_by=key,model&from=1h');
    assert.deepEqual(body['group_by'], ['key', 'model']);
    const rows = body['rows'] as Array<Record<string, unknown>>;
    const teamA = rows.find((r) => r['key'] === 'team-a' && r['model'] === 'mock-model');
    const want = all.filter((r) => r.key === 'team-a' && r.model === 'mock-model');
    assert.equal(teamA?.['requests'], want.length);
    assert.equal(teamA?.['prompt_tokens'], want.reduce((s, r) => s + r.prompt_tokens, 0));
    assert.ok(Math.abs(Number(teamA?.['cost_usd']) - want.reduce((s, r) => s + r.cost_usd, 0)) < 1e-9);
    assert.equal(typeof teamA?.['p50_ms'], 'number');
    const totals = body['totals'] as Record<string, number>;
    assert.equal(totals['requests'], all.length);
    assert.equal(totals['errors'], all.filter((r) => r.status >= 400).length);
    const bad = await admin('/usage?group_by=color');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { param: string } }).error.param, 'group_by');
  });

  test('the key list shows the spend of keys without a budget too, read from the store', async () => {
    const all = await records();
    const listed = (await adminJson('/keys'))['data'] as Array<{ id: string; spend_usd: number; budget: unknown }>;
    for (const id of ['team-a', 'team-b']) {
      const want = all.filter((r) => r.key === id).reduce((sum, r) => sum + r.cost_usd, 0);
      const got = listed.find((k) => k.id === id);
      assert.equal(got?.budget, null);
      assert.ok(want > 0 || id === 'team-b', `${id} has spent something in this suite`);
      assert.ok(Math.abs((got?.spend_usd ?? NaN) - want) < 1e-9, `${id}: listed ${got?.spend_usd}, recorded ${want}`);
    }
  });

  test('/admin/requests pages by id and exports CSV', async () => {
    const all = await records();
    const first = await adminJson('/requests?limit=3');
    const page1 = first['data'] as UsageRecord[];
    assert.equal(page1.length, 3);
    assert.deepEqual(page1.map((r) => r.id), all.slice(0, 3).map((r) => r.id));
    const second = await adminJson(`/requests?limit=3&before=${String(first['next'])}`);
    assert.deepEqual((second['data'] as UsageRecord[]).map((r) => r.id), all.slice(3, 6).map((r) => r.id));
    // A time range: everything is from the last hour, nothing from the future.
    assert.equal(((await adminJson('/requests?limit=1000&from=1h'))['data'] as unknown[]).length, all.length);
    assert.equal(((await adminJson(`/requests?from=${new Date(Date.now() + 60_000).toISOString()}`))['data'] as unknown[]).length, 0);
    assert.equal(((await adminJson('/requests?to=1h'))['data'] as unknown[]).length, 0);
    const csv = await admin('/requests?format=csv&key=team-a');
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    const lines = (await csv.text()).trimEnd().split('\n');
    assert.equal(lines[0]?.split(',')[0], 'id');
    assert.equal(lines.length - 1, all.filter((r) => r.key === 'team-a').length);
  });

  test('virtual keys: created once in full, used, limited to their models, changed and revoked', async () => {
    const created = await admin('/keys', { method: 'POST', body: JSON.stringify({ name: 'ci-bot', models: ['mock-*'], budget: { usd: 5, period: 'month' } }) });
    assert.equal(created.status, 201);
    const vk = (await created.json()) as { id: string; key: string; last4: string; source: string; budget: unknown; spend_usd: number };
    assert.equal(vk.source, 'virtual');
    assert.equal(vk.last4, vk.key.slice(-4));
    assert.deepEqual(vk.budget, { usd: 5, period: 'month' });
    const client = new OpenAI({ apiKey: vk.key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-request-id': 'led-vk' } });
    const [rec] = await recordsFor(['led-vk']);
    assert.equal(rec?.key, vk.id, 'a virtual key is recorded by its id');
    const listed = (await adminJson('/keys'))['data'] as Array<Record<string, unknown>>;
    assert.ok(listed.some((k) => k['id'] === vk.id && k['name'] === 'ci-bot'));
    assert.ok(listed.some((k) => k['id'] === 'team-a' && k['source'] === 'config' && k['last4'] === TEAM_A.slice(-4)));
    assert.ok(!JSON.stringify(listed).includes(vk.key), 'the secret is shown only once');

    const patched = await adminJson(`/keys/${vk.id}`, { method: 'PATCH', body: JSON.stringify({ models: ['other-*'] }) });
    assert.deepEqual(patched['models'], ['other-*']);
    await assert.rejects(client.chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.APIError && e.status === 403);

    assert.equal((await admin('/keys/team-a', { method: 'DELETE' })).status, 409);
    assert.equal((await admin('/keys/team-a', { method: 'PATCH', body: '{"rpm":1}' })).status, 409);
    assert.equal((await admin('/keys/vk_nope', { method: 'DELETE' })).status, 404);
    assert.equal((await admin('/keys', { method: 'POST', body: JSON.stringify({ name: 'x', rpm: -1 }) })).status, 400);
    assert.equal((await admin(`/keys/${vk.id}`, { method: 'DELETE' })).status, 204);
    await assert.rejects(client.chat.completions.create({ model: 'other-model', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.APIError && e.status === 401);
  });

  test('a virtual key stops working when it expires', async () => {
    const expires = new Date(Date.now() + 1500).toISOString();
    const vk = (await adminJson('/keys', { method: 'POST', body: JSON.stringify({ name: 'short-lived', expires_at: expires }) })) as { key: string; expires_at: string };
    assert.equal(vk.expires_at, expires);
    const client = new OpenAI({ apiKey: vk.key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    assert.equal((await client.chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'x' }] })).usage?.prompt_tokens, 100);
    await new Promise((r) => setTimeout(r, Date.parse(expires) - Date.now() + 50));
    await assert.rejects(client.chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.APIError && e.status === 401);
  });

  test('admin auth: no key 401, a client key 403, an admin key on the model routes 401', async () => {
    assert.equal((await fetch(`${gw.url}/admin/usage`)).status, 401);
    const asClient = await admin('/usage', {}, TEAM_A);
    assert.equal(asClient.status, 403);
    const body = (await asClient.json()) as { error: { type: string; code: string; message: string } };
    assert.equal(body.error.code, 'forbidden');
    assert.equal((await admin('/usage', {}, 'sk-nobody')).status, 401);
    assert.equal((await fetch(`${gw.url}/admin/keys`, { headers: { 'x-api-key': ADMIN } })).status, 200);
    const onModels = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: '{"model":"mock-model","messages":[{"role":"user","content":"x"}]}' });
    assert.equal(onModels.status, 401);
  });

  test('/admin/providers, /admin/config and /admin/events', async () => {
    const providers = (await adminJson('/providers'))['data'] as Array<Record<string, unknown>>;
    assert.equal(providers[0]?.['name'], 'bill');
    assert.deepEqual(providers[0]?.['circuit'], { state: 'closed', reason: null });
    assert.equal(providers[0]?.['inflight'], 0);
    assert.equal(typeof providers[0]?.['p50_ms'], 'number');
    const config = await adminJson('/config');
    const routes = (config['routing'] as { routes: Array<{ model: string; targets: unknown[] }> }).routes;
    assert.ok(routes.some((r) => r.model === 'mock-model'));
    assert.equal(((config['config'] as { admin: { api_keys: string[] } }).admin.api_keys)[0], '<redacted>');

    const events = await admin('/events');
    assert.equal(events.status, 200);
    assert.match(events.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = events.body!.getReader();
    const openai = new OpenAI({ apiKey: TEAM_A, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-request-id': 'led-event' } });
    let text = '';
    while (!text.includes('led-event')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    const frame = text.split('\n\n').find((f) => f.includes('led-event')) ?? '';
    assert.match(frame, /^event: request\ndata: /m);
    const rec = JSON.parse(frame.slice(frame.indexOf('data: ') + 6)) as UsageRecord;
    assert.equal(rec.prompt_tokens, 100);
    adminText.push(text);
  });

  test('no secret in any admin answer, log line or metric', async () => {
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    assert.match(metrics, /llmux_usage_dropped_total 0/);
    for (const secret of SECRETS) {
      for (const text of adminText) assert.ok(!text.includes(secret), `an admin answer holds ${secret.slice(0, 8)}...`);
      assert.ok(!gw.logText().includes(secret), `the log holds ${secret.slice(0, 8)}...`);
      assert.ok(!metrics.includes(secret));
    }
  });
});

describe('/admin/events: provider events', () => {
  test('a circuit that opens is announced', async (t) => {
    const mock = await startMockOpenAI({ name: 'flaky', models: ['fail-500'] });
    const gw = await startGateway({
      admin: { api_keys: [ADMIN] },
      providers: [{ name: 'flaky', base_url: `${mock.url}/v1`, api_key: PROVIDER_KEY, models: ['fail-500'] }],
      routing: { retries: 0 },
      health_check: { enabled: false, failure_threshold: 1, cooldown: '60s' },
      usage: { store: 'off' },
    });
    t.after(async () => {
      await gw.close();
      await mock.close();
    });
    const events = await fetch(`${gw.url}/admin/events`, { headers: { 'x-api-key': ADMIN } });
    const reader = events.body!.getReader();
    // The stream is open (its first comment arrived) before the circuit changes.
    await reader.read();
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"fail-500","messages":[{"role":"user","content":"x"}]}' });
    assert.equal(res.status, 502);
    let text = '';
    while (!text.includes('event: provider')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    const frame = text.split('\n\n').find((f) => f.startsWith('event: provider')) ?? '';
    const data = JSON.parse(frame.slice(frame.indexOf('data: ') + 6)) as { name: string; state: string; reason: string };
    assert.equal(data.name, 'flaky');
    assert.equal(data.state, 'open');
    assert.ok(data.reason.length > 0);
  });
});

describe('without admin keys', () => {
  test('/admin answers 404', async (t) => {
    const gw = await startGateway({ providers: [], usage: { store: 'off' } });
    t.after(() => gw.close());
    const res = await fetch(`${gw.url}/admin/usage`, { headers: { authorization: 'Bearer anything' } });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { type: string } }).error.type, 'not_found_error');
  });
});

describe('a ledger path that cannot be written', () => {
  test('leaves the gateway serving; the records are written once the path works', async (t) => {
    const { mkdtempSync, writeFileSync, rmSync, mkdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/llmux-ro-`);
    // A file where the ledger's folder should be: like a missing or read-only volume, nothing can be created there.
    writeFileSync(`${dir}/volume`, 'not a folder');
    const mock = await startMockOpenAI({ name: 'ro', models: ['gpt-4o-mini'] });
    const gw = await startGateway({
      admin: { api_keys: [ADMIN] },
      providers: [{ name: 'ro', base_url: `${mock.url}/v1`, api_key: PROVIDER_KEY, models: ['gpt-4o-mini'] }],
      usage: { path: `${dir}/volume/usage.db`, flush_interval: '100ms' },
      health_check: { enabled: false },
    });
    t.after(async () => {
      await gw.close();
      await mock.close();
    });
    const openai = new OpenAI({ apiKey: 'none', baseURL: `${gw.url}/v1`, maxRetries: 0 });
    for (let i = 0; i < 5; i++) await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-request-id': `ro-${i}` } });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(gw.gateway.ledger?.writer.queued, 5);
    assert.ok(gw.logs.some((l) => String(l['msg']).includes('cannot write')), 'the failure is logged');
    const down = await fetch(`${gw.url}/admin/usage`, { headers: { authorization: `Bearer ${ADMIN}` } });
    assert.equal(down.status, 503);
    assert.equal(((await down.json()) as { error: { code: string } }).error.code, 'ledger_unavailable');
    rmSync(`${dir}/volume`);
    mkdirSync(`${dir}/volume`);
    const res = await waitFor('the queued records', async () => {
      const r = await fetch(`${gw.url}/admin/requests`, { headers: { authorization: `Bearer ${ADMIN}` } });
      const body = (await r.json()) as { data: UsageRecord[]; error?: { code: string } };
      // Until the store is reopened the admin API says it cannot read it.
      if (r.status === 503) assert.equal(body.error?.code, 'ledger_unavailable');
      return r.status === 200 && body.data.length === 5 ? body.data : undefined;
    });
    assert.deepEqual(res.map((r) => r.request_id).sort(), ['ro-0', 'ro-1', 'ro-2', 'ro-3', 'ro-4']);
  });
});

describe('a budget given to a key that has spent before', () => {
  test('holds it to the spend on record, from its first request after the reload or the change', async (t) => {
    const mock = await startMockOpenAI({ name: 'pb', models: ['gpt-4o-mini'] });
    t.after(() => mock.close());
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = `${mkdtempSync(`${tmpdir()}/llmux-ledger-pb-`)}/usage.db`;
    const raw = {
      auth: { api_keys: [{ key: TEAM_A, name: 'team-a' }] },
      admin: { api_keys: [ADMIN] },
      providers: [{ name: 'pb', base_url: `${mock.url}/v1`, api_key: PROVIDER_KEY, models: ['gpt-4o-mini'] }],
      usage: { path, flush_interval: '50ms', prices: { 'gpt-4o-mini': { input: 1, output: 1 } } },
      health_check: { enabled: false },
    };
    const call = (url: string, key: string) => new OpenAI({ apiKey: key, baseURL: `${url}/v1`, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    // A first process spends, with a config key and a virtual key, and stops: its records are all the second one knows.
    const first = await startGateway(raw);
    const vk = (await (await fetch(`${first.url}/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'vk' }) })).json()) as { id: string; key: string };
    await call(first.url, TEAM_A);
    await call(first.url, vk.key);
    await first.close();

    const second = await startGateway(raw);
    t.after(() => second.close());
    const listed = ((await (await fetch(`${second.url}/admin/keys`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { data: Array<{ id: string; spend_usd: number }> }).data;
    assert.ok(Math.abs((listed.find((k) => k.id === 'team-a')?.spend_usd ?? 0) - 18 / 1e6) < 1e-12, JSON.stringify(listed));
    assert.equal(listed.find((k) => k.id === vk.id)?.spend_usd, 18 / 1e6);
    // Both still have room without a budget; a budget below what they spent refuses the very next request.
    await call(second.url, TEAM_A);
    const { configSchema } = await import('../../src/config/schema.ts');
    await second.gateway.reload(configSchema.parse({ ...raw, auth: { api_keys: [{ key: TEAM_A, name: 'team-a', budget: { usd: 0.00001, period: 'month' } }] }, server: { host: '127.0.0.1', port: 0 } }));
    await assert.rejects(call(second.url, TEAM_A), (e: unknown) => e instanceof OpenAI.APIError && e.status === 429 && e.code === 'insufficient_quota');
    const patched = await fetch(`${second.url}/admin/keys/${vk.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ budget: { usd: 0.00001, period: 'month' } }) });
    assert.equal(patched.status, 200);
    assert.equal(((await patched.json()) as { spend_usd: number }).spend_usd, 18 / 1e6);
    await assert.rejects(call(second.url, vk.key), (e: unknown) => e instanceof OpenAI.APIError && e.status === 429 && e.code === 'insufficient_quota');
  });
});

describe('a reload', () => {
  test('applies new prices and budgets to the next requests', async (t) => {
    const mock = await startMockOpenAI({ name: 'rl', models: ['gpt-4o-mini'] });
    const raw = {
      auth: { api_keys: [{ key: TEAM_A, name: 'team-a' }] },
      admin: { api_keys: [ADMIN] },
      providers: [{ name: 'rl', base_url: `${mock.url}/v1`, api_key: PROVIDER_KEY, models: ['gpt-4o-mini'] }],
      usage: { flush_interval: '50ms', prices: { 'gpt-4o-mini': { input: 1, output: 1 } } },
      health_check: { enabled: false },
    };
    const gw = await startGateway(raw);
    t.after(async () => {
      await gw.close();
      await mock.close();
    });
    const openai = new OpenAI({ apiKey: TEAM_A, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const call = (id: string) => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-request-id': id } });
    await call('rl-1');
    const { configSchema } = await import('../../src/config/schema.ts');
    const next = configSchema.parse({
      ...raw,
      auth: { api_keys: [{ key: TEAM_A, name: 'team-a', budget: { usd: 0.0001, period: 'day' } }] },
      usage: { ...raw.usage, path: gw.gateway.state.config.usage.path, prices: { 'gpt-4o-mini': { input: 10, output: 10 } } },
      server: { host: '127.0.0.1', port: 0 },
    });
    await gw.gateway.reload(next);
    await call('rl-2');
    const recs = await waitFor('both records', async () => {
      const r = await fetch(`${gw.url}/admin/requests`, { headers: { authorization: `Bearer ${ADMIN}` } });
      const data = ((await r.json()) as { data: UsageRecord[] }).data;
      return data.length === 2 ? data : undefined;
    });
    const cost = Object.fromEntries(recs.map((r) => [r.request_id, r.cost_usd]));
    assert.ok(Math.abs((cost['rl-1'] ?? 0) - 18 / 1e6) < 1e-12, String(cost['rl-1']));
    assert.ok(Math.abs((cost['rl-2'] ?? 0) - 180 / 1e6) < 1e-12, String(cost['rl-2']));
    // 0.000198 spent today >= the new budget of 0.0001.
    await assert.rejects(call('rl-3'), (e: unknown) => e instanceof OpenAI.APIError && e.status === 429 && e.code === 'insufficient_quota');
  });
});
