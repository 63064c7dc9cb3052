import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import { configSchema } from '../../src/config/schema.ts';
import { startGateway } from '../helpers/gateway.ts';
import { startMockOpenAI } from '../helpers/mock-openai.ts';

const KEY = 'sk-routing-state-0123456789abcdef';

/**
 * What a request finds is worked out once per config and remembered (the first rule matching a
 * model name, each key's compiled allow-list, the catalog): a reload must replace all of it, for
 * names already asked for too.
 */
describe('remembered routing answers after a reload', () => {
  test('rules, allow-lists and aliases of the new config apply to names already seen', async (t) => {
    const a = await startMockOpenAI({ name: 'a', models: ['m1', 'm2'] });
    const b = await startMockOpenAI({ name: 'b', models: ['m1', 'm2'] });
    t.after(() => Promise.all([a.close(), b.close()]));
    const raw = (rules: unknown[], models: string[], alias: string): Record<string, unknown> => ({
      auth: { api_keys: [...Array.from({ length: 50 }, (_, i) => ({ key: `sk-other-${i}-0000000000`, models: ['m2'] })), { key: KEY, name: 'me', models }] },
      providers: [
        { name: 'a', base_url: `${a.url}/v1`, api_key: 'sk-a', models: ['m1', 'm2'] },
        { name: 'b', base_url: `${b.url}/v1`, api_key: 'sk-b', models: ['m1', 'm2'] },
      ],
      routing: { mode: 'prefix', aliases: { fast: alias } },
      model_rules: rules,
      health_check: { enabled: false },
    });
    const gw = await startGateway(raw([{ match_model: 'fast', set: { temperature: 0.1 } }, { match_model: 'a/*', set: { temperature: 0.2 } }], ['fast', 'a/*'], 'a/m1'));
    t.after(() => gw.close());
    const client = new OpenAI({ apiKey: KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const ask = (model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] });
    const last = (m: { requests: Array<{ body?: Record<string, unknown> }> }) => m.requests.at(-1)?.body;

    for (let i = 0; i < 3; i++) await ask('fast');
    assert.equal(last(a)?.['temperature'], 0.1);
    assert.equal(last(a)?.['model'], 'm1');
    await ask('a/m2');
    assert.equal(last(a)?.['temperature'], 0.2);

    // The rule order flips, "a/*" leaves the allow-list, "fast" now goes to b.
    await gw.gateway.reload(configSchema.parse({ ...raw([{ match_model: 'a/*', set: { temperature: 0.3 } }, { match_model: 'fast', set: { temperature: 0.4 } }], ['fast', 'b/*'], 'b/m2'), server: { host: '127.0.0.1', port: 0 }, usage: { path: gw.gateway.state.config.usage.path } }));
    const beforeA = a.requests.length;
    await ask('fast');
    assert.equal(last(b)?.['model'], 'm2');
    assert.equal(last(b)?.['temperature'], 0.4);
    await assert.rejects(ask('a/m2'), (e: unknown) => e instanceof OpenAI.APIError && e.status === 403);
    assert.equal(a.requests.length, beforeA, 'nothing reached provider a after the reload');
    await ask('b/m1');
    assert.equal(last(b)?.['temperature'], undefined);
  });
});
