import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createKeyStore, keyAllowsModel } from '../../src/auth/keys.ts';
import { configSchema } from '../../src/config/schema.ts';
import { GatewayError } from '../../src/core/errors.ts';
import { buildCatalog, type RoutableProvider } from '../../src/router/catalog.ts';
import { compileGlob } from '../../src/router/glob.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { startMockOpenAI } from '../helpers/mock-openai.ts';
import type { MockUpstream } from '../helpers/recording-server.ts';

/** A key's allow-list and a provider's model list hold for every name a request can use. */

function keyWith(models: string[]) {
  const store = createKeyStore([{ key: 'k', name: 'n', models }]);
  const key = store.lookup('k');
  assert.ok(key !== undefined);
  return key;
}

describe('keyAllowsModel (table): a glob never reaches across the provider prefix', () => {
  const cases: Array<[string[], string, boolean]> = [
    [['claude*'], 'claude-3-opus', true],
    [['claude*'], 'anthropic/claude-3-opus', true],
    [['claude*'], 'claude-proxy/gpt-4o-mini', false],
    [['gpt-4o-mini*'], 'gpt-4o-mini-2024', true],
    [['gpt-4o-mini*'], 'oa/o1-pro', false],
    [['gpt-4o-mini*'], 'gpt-4o-mini-proxy/o1-pro', false],
    [['oa/gpt-4o*'], 'oa/gpt-4o-mini', true],
    [['oa/gpt-4o*'], 'gpt-4o-mini', false],
    [['oa/gpt-4o*'], 'ob/gpt-4o-mini', false],
    [['*/gpt-4o-mini'], 'ob/gpt-4o-mini', true],
    [['*'], 'anything/at-all', true],
    [['o1-pro'], 'o1-pro', true],
    [['o1-pro'], 'o1-pro-2', false],
  ];
  for (const [globs, name, allowed] of cases) {
    test(`${JSON.stringify(globs)} ${allowed ? 'admits' : 'refuses'} ${name}`, () => assert.equal(keyAllowsModel(keyWith(globs), name), allowed));
  }
  test('no list admits everything', () => assert.equal(keyAllowsModel(undefined, 'x/y'), true));
});

function provider(name: string, models: string[] | undefined): RoutableProvider {
  const globs = (models ?? []).map(compileGlob);
  return { name, weight: 1, hasModelList: models !== undefined, models: () => globs.filter((g) => !g.isPattern).map((g) => g.source), patterns: () => globs.filter((g) => g.isPattern) };
}

function error(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof GatewayError);
    return e;
  }
  assert.fail('expected an error');
}

describe('catalog: explicit provider/model', () => {
  const routing = configSchema.parse({ providers: [{ name: 'oa', base_url: 'http://x/v1' }] }).routing;
  const catalog = buildCatalog(routing, [provider('oa', ['gpt-4o-mini', 'gpt-4o']), provider('star', ['*']), provider('globs', ['llama*']), provider('open', undefined)]);

  test('reaches only a model on the provider list', () => {
    assert.equal(catalog.resolve('oa/gpt-4o-mini').targets[0]?.upstreamModel, 'gpt-4o-mini');
    assert.equal(error(() => catalog.resolve('oa/o1-pro')).status, 404);
    assert.equal(catalog.resolve('globs/llama-3').targets[0]?.upstreamModel, 'llama-3');
    assert.equal(error(() => catalog.resolve('globs/o1-pro')).status, 404);
  });
  test('"*" and a provider without a list accept any name', () => {
    assert.equal(catalog.resolve('star/o1-pro').targets[0]?.upstreamModel, 'o1-pro');
    assert.equal(catalog.resolve('open/o1-pro').targets[0]?.upstreamModel, 'o1-pro');
  });
  test('"did you mean" suggests only what the key may use', () => {
    const key = keyWith(['gpt-4o-mini*']);
    const listed = buildCatalog(routing, [provider('oa', ['gpt-4o-mini', 'gpt-4o'])]);
    const all = error(() => listed.resolve('gpt-4o-minj')).message;
    assert.match(all, /gpt-4o\b/);
    const filtered = error(() => listed.resolve('gpt-4o-minj', undefined, (n) => keyAllowsModel(key, n))).message;
    assert.match(filtered, /gpt-4o-mini/);
    assert.doesNotMatch(filtered, /gpt-4o[,?]/);
  });
});

describe('over HTTP', () => {
  let gw: TestGateway;
  let oa: MockUpstream;
  let proxy: MockUpstream;
  before(async () => {
    oa = await startMockOpenAI({ name: 'oa', models: ['gpt-4o-mini', 'o1-pro'] });
    proxy = await startMockOpenAI({ name: 'claude-proxy', models: ['gpt-4o-mini'] });
    gw = await startGateway({
      auth: {
        api_keys: [
          { key: 'sk-mini-only-000000', name: 'mini-only', models: ['gpt-4o-mini*'] },
          { key: 'sk-claude-only-0000', name: 'claude-only', models: ['claude*'] },
        ],
      },
      health_check: { enabled: false },
      providers: [
        { name: 'oa', base_url: `${oa.url}/v1`, api_key: 'sk-oa', models: ['gpt-4o-mini', 'o1-pro'] },
        { name: 'claude-proxy', base_url: `${proxy.url}/v1`, api_key: 'sk-cp', models: ['gpt-4o-mini'] },
      ],
    });
  });
  after(async () => {
    await gw.close();
    await oa.close();
    await proxy.close();
  });
  const chat = async (key: string, model: string): Promise<{ status: number; message: string }> => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }) });
    const body = (await res.json()) as { error?: { message?: string } };
    return { status: res.status, message: body.error?.message ?? '' };
  };

  test('claude* cannot reach gpt-4o-mini on a provider named claude-proxy', async () => {
    const before = proxy.requests.length;
    assert.equal((await chat('sk-claude-only-0000', 'claude-proxy/gpt-4o-mini')).status, 403);
    assert.equal(proxy.requests.length, before);
  });
  test('an explicit provider/model outside the provider list is a 404, the upstream sees nothing', async () => {
    const before = proxy.requests.length;
    const r = await chat('sk-mini-only-000000', 'claude-proxy/gpt-4o-mini-secret');
    assert.equal(r.status, 404);
    assert.equal(proxy.requests.length, before);
  });
  test('404 suggestions leave out models the key may not use', async () => {
    const r = await chat('sk-mini-only-000000', 'gpt-4o-mini-o1-pro');
    assert.equal(r.status, 404);
    assert.doesNotMatch(r.message, /o1-pro,|o1-pro\?|: o1-pro/);
  });
});
