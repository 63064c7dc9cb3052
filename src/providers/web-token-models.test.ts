import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { configSchema } from '../config/schema.ts';
import { createProviderAdapter } from './registry.ts';

const fixture = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../test/fixtures/${path}`, import.meta.url), 'utf8'));
const adapter = (provider: Record<string, unknown>) => createProviderAdapter(configSchema.parse({ providers: [provider] }).providers[0] as never);

describe('token provider adapters', () => {
  test('codegeex: the model list is `options[].id`; requests go to /prod with the code-token header', async () => {
    const a = adapter({ name: 'cg', type: 'codegeex', token: 'tok-123456' });
    assert.equal(a.origin, 'https://codegeex.cn');
    assert.deepEqual(a.parseModels(fixture('codegeex/models.json')), ['codegeex-4', 'glm-4.5']);
    const models = await a.modelsCall();
    assert.equal(models.path, '/prod/v3/chat/model');
    const call = await a.call('chat', { model: 'codegeex-4', stream: true, body: '{"prompt":"p","history":[],"model":"codegeex-4"}', clientCredential: undefined, clientHeaders: {} });
    assert.equal(call.path, '/prod/code/chatCodeSseV3/chat');
    assert.equal(call.headers['code-token'], 'tok-123456');
    const body = JSON.parse(String(call.body)) as Record<string, unknown>;
    assert.equal(body['prompt'], 'p');
    assert.equal(body['ide'], 'VSCode');
    assert.equal(body['locale'], 'zh-CN');
  });

  test('qwen: the model list is `data[].id`', () => {
    const a = adapter({ name: 'qw', type: 'qwen', token: 'tok-123456', base_url: 'https://mirror.example/api' });
    assert.equal(a.origin, 'https://mirror.example');
    assert.deepEqual(a.parseModels(fixture('qwen/models.json')), ['qwen3-max', 'qwen3-coder-plus']);
  });

  test('gemini-cli: a static model list, chat only, Code Assist at its public endpoint by default', () => {
    const a = adapter({ name: 'gc', type: 'gemini-cli', oauth_creds_file: '/nonexistent/oauth_creds.json' });
    assert.equal(a.origin, 'https://cloudcode-pa.googleapis.com');
    assert.deepEqual(a.staticModels, ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite']);
    assert.equal(a.supports('chat'), true);
    assert.equal(a.supports('embeddings'), false);
  });

  test('gemini-cli: a missing credentials file is a clear error at call time, not at start', async () => {
    const a = adapter({ name: 'gc', type: 'gemini-cli', oauth_creds_file: '/nonexistent/oauth_creds.json', project_id: 'p' });
    await assert.rejects(Promise.resolve(a.call('chat', { model: 'gemini-2.5-pro', stream: false, body: '{}', clientCredential: undefined, clientHeaders: {} })), /cannot read the OAuth credentials file \/nonexistent\/oauth_creds\.json \(ENOENT\)/);
  });

  test('gemini-cli: an empty inline token (OpenAICompatible placeholder) does not stop the start', async () => {
    const a = adapter({ name: 'gc', type: 'gemini-cli', token: {}, project_id: 'p' });
    await assert.rejects(Promise.resolve(a.call('chat', { model: 'gemini-2.5-pro', stream: false, body: '{}', clientCredential: undefined, clientHeaders: {} })), /providers\.gc\.token holds no refresh_token/);
  });
});
