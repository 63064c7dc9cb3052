import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import { startGateway } from '../helpers/gateway.ts';
import { startMockOpenAI } from '../helpers/mock-openai.ts';

describe('model discovery', () => {
  test('a provider without a model list is asked for it at start and again every models_refresh', async () => {
    const models = ['m-1'];
    const mock = await startMockOpenAI({ name: 'disc', models });
    const gw = await startGateway({ providers: [{ name: 'disc', base_url: `${mock.url}/v1`, models_refresh: '200ms' }] });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 });
      const list = async () => (await client.models.list()).data.map((m) => m.id);
      assert.deepEqual(await list(), ['m-1']);
      await assert.rejects(client.chat.completions.create({ model: 'm-2', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.NotFoundError);
      models.push('m-2');
      const deadline = Date.now() + 3000;
      while (!(await list()).includes('m-2') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(await list(), ['m-1', 'm-2']);
      const res = await client.chat.completions.create({ model: 'm-2', messages: [{ role: 'user', content: 'x' }] });
      assert.equal(res.model, 'm-2');
    } finally {
      await gw.close();
      await mock.close();
    }
  });

  test('models: ["*"] forwards any name and still lists what the upstream has', async () => {
    const mock = await startMockOpenAI({ name: 'any', models: ['listed-model'] });
    const gw = await startGateway({ providers: [{ name: 'any', base_url: `${mock.url}/v1`, models: ['*'] }] });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 });
      assert.deepEqual((await client.models.list()).data.map((m) => m.id), ['listed-model']);
      const res = await client.chat.completions.create({ model: 'whatever-you-like', messages: [{ role: 'user', content: 'x' }] });
      assert.equal(res.model, 'whatever-you-like');
    } finally {
      await gw.close();
      await mock.close();
    }
  });

  test('a glob list narrows the discovered list: models the upstream also lists do not route to that provider', async () => {
    const shared = await startMockOpenAI({ name: 'shared', models: ['gpt-shared', 'claude-shared'] });
    const gw = await startGateway({
      providers: [
        { name: 'gpts', base_url: `${shared.url}/v1`, models: ['gpt-*'] },
        { name: 'claudes', base_url: `${shared.url}/v1`, models: ['claude-*'] },
      ],
    });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 });
      assert.deepEqual((await client.models.list()).data.map((m) => m.id).sort(), ['claude-shared', 'gpt-shared']);
      for (let i = 0; i < 6; i++) {
        const { response } = await client.chat.completions.create({ model: 'gpt-shared', messages: [{ role: 'user', content: 'x' }] }).withResponse();
        assert.equal(response.headers.get('x-llmux-provider'), 'gpts');
        const other = await client.chat.completions.create({ model: 'claude-shared', messages: [{ role: 'user', content: 'x' }] }).withResponse();
        assert.equal(other.response.headers.get('x-llmux-provider'), 'claudes');
      }
    } finally {
      await gw.close();
      await shared.close();
    }
  });

  test('an unreachable provider does not stop the gateway from starting', async () => {
    const gw = await startGateway({ providers: [{ name: 'down', base_url: 'http://127.0.0.1:1/v1', connect_timeout: '500ms' }] });
    try {
      const res = await fetch(`${gw.url}/v1/models`);
      assert.deepEqual(await res.json(), { object: 'list', data: [] });
      assert.ok(gw.logs.some((l) => l['msg'] === 'could not fetch the model list' && l['provider'] === 'down'));
    } finally {
      await gw.close();
    }
  });
});
