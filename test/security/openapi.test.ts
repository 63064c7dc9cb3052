import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { OPENAPI } from '../../src/server/openapi.ts';
import { startGateway } from '../helpers/gateway.ts';
import { startMockAnthropic } from '../helpers/mock-anthropic.ts';
import { startMockGemini } from '../helpers/mock-gemini.ts';
import { startMockOpenAI } from '../helpers/mock-openai.ts';

/**
 * GET /openapi.json describes every route, and the running gateway keeps to it: schemathesis
 * (PyPI, installed into the venv by .ci/python.sh) sends requests generated from the description
 * (valid ones from its examples, then boundary and random ones) to llmux in front of mock
 * upstreams. No answer may be a 5xx, and every answer must have a documented status, content type
 * and shape (errors in the route's protocol's error shape).
 */

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const venv = process.env['LLMUX_PYTHON_VENV'] ?? join(homedir(), '.cache', 'llmux-venv');
const st = join(venv, 'bin', 'st');

function schemathesis(): string | undefined {
  if (!existsSync(st)) spawnSync(join(root, '.ci', 'python.sh'), { stdio: 'ignore', timeout: 300_000 });
  return existsSync(st) ? st : undefined;
}

describe('OpenAPI description', () => {
  test('is served without a key and names every route', async (t) => {
    const gw = await startGateway({ auth: { api_keys: [{ key: 'sk-some-client-key-000', name: 'a' }] } });
    t.after(() => gw.close());
    const res = await fetch(`${gw.url}/openapi.json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    assert.equal(doc.openapi, '3.1.0');
    for (const path of [
      '/v1/chat/completions',
      '/v1/completions',
      '/v1/embeddings',
      '/v1/models',
      '/v1/models/{model}',
      '/v1/messages',
      '/v1/messages/count_tokens',
      '/v1beta/models/{model}:generateContent',
      '/v1beta/models/{model}:streamGenerateContent',
      '/v1beta/models/{model}:countTokens',
      '/v1beta/models/{model}:embedContent',
      '/v1beta/models/{model}:batchEmbedContents',
      '/v1beta/models',
      '/v1/responses',
      '/v1/responses/{id}',
      '/v1/responses/{id}/input_items',
      '/v1/responses/input_tokens',
      '/health',
      '/ready',
      '/metrics',
      '/admin/usage',
      '/admin/requests',
      '/admin/providers',
      '/admin/keys',
      '/admin/keys/{id}',
      '/admin/config',
      '/admin/events',
      '/dashboard',
    ]) {
      assert.ok(Object.hasOwn(doc.paths, path), path);
    }
    assert.deepEqual(doc, JSON.parse(JSON.stringify(OPENAPI)));
  });

  test('schemathesis: generated requests get no 5xx and only documented answers', async (t) => {
    const bin = schemathesis();
    if (bin === undefined) {
      t.skip('schemathesis is not installed and .ci/python.sh could not install it (no Python 3.9+ or no PyPI)');
      return;
    }
    const oa = await startMockOpenAI({ name: 'oa', models: ['gpt-4o-mini', 'text-embedding-3-small'] });
    const an = await startMockAnthropic({ name: 'an' });
    const gm = await startMockGemini({ name: 'gm' });
    const gw = await startGateway({
      health_check: { enabled: false, failure_threshold: 100000 },
      providers: [
        { name: 'oa', base_url: `${oa.url}/v1`, api_key: 'sk-oa-0000', models: ['gpt-4o-mini', 'text-embedding-3-small'] },
        { name: 'an', type: 'anthropic', base_url: an.url, api_key: 'sk-ant-0000', models: ['claude-sonnet-4'] },
        { name: 'gm', type: 'gemini', base_url: gm.url, api_key: 'AIza-gm-0000', models: ['gemini-2.5-flash'] },
      ],
    });
    t.after(async () => {
      await gw.close();
      await oa.close();
      await an.close();
      await gm.close();
    });
    let out = '';
    let code = 0;
    try {
      const r = await run(
        bin,
        [
          'run',
          `${gw.url}/openapi.json`,
          '--url',
          gw.url,
          '--checks',
          'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
          '--max-examples',
          '5',
          '--phases',
          'examples,coverage,fuzzing',
          '--workers',
          '1',
          '--request-timeout',
          '10',
          '--max-time',
          '75',
          '--generation-database',
          'none',
          '--seed',
          '1',
          '--no-color',
        ],
        { cwd: root, timeout: 110_000, maxBuffer: 16 * 1024 * 1024 },
      );
      out = r.stdout + r.stderr;
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      code = typeof e.code === 'number' ? e.code : 1;
      out = `${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
    assert.equal(code, 0, out.slice(-6000));
    assert.match(out, /passed/);
    const crashes = gw.logs.filter((l) => (l['level'] as number) >= 50);
    assert.deepEqual(crashes, [], 'no request failed with an internal error');
  });
});
