import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { startGateway } from '../helpers/gateway.ts';
import { startMockOpenAI } from '../helpers/mock-openai.ts';

describe('the model list in each SDK', () => {
  test('OpenAI, Anthropic and Gemini SDKs (v1 and v1beta) each read GET /v1/models in their own shape', async () => {
    const mock = await startMockOpenAI({ name: 'm', models: ['alpha', 'beta'] });
    const gw = await startGateway({ providers: [{ name: 'm', base_url: `${mock.url}/v1` }], health_check: { enabled: false } });
    try {
      const openai = new OpenAI({ apiKey: 'k', baseURL: `${gw.url}/v1` });
      assert.deepEqual((await openai.models.list()).data.map((m) => m.id), ['alpha', 'beta']);
      const anthropic = new Anthropic({ apiKey: 'k', baseURL: gw.url });
      const claudeIds: string[] = [];
      for await (const m of anthropic.models.list()) claudeIds.push(m.id);
      assert.deepEqual(claudeIds, ['alpha', 'beta']);
      for (const apiVersion of [undefined, 'v1beta']) {
        const gemini = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: gw.url, ...(apiVersion === undefined ? {} : { apiVersion }) } });
        const names: string[] = [];
        for await (const m of await gemini.models.list()) names.push(m.name ?? '');
        assert.deepEqual(names, ['models/alpha', 'models/beta'], `apiVersion ${apiVersion ?? 'default'}`);
      }
    } finally {
      await gw.close();
      await mock.close();
    }
  });
});
