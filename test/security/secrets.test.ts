import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { redactSecrets, redactUrl as redactConfigUrl } from '../../src/config/redact.ts';
import { redactUrl } from '../../src/observability/logger.ts';
import { startGateway } from '../helpers/gateway.ts';
import { startMockOpenAI } from '../helpers/mock-openai.ts';

/** Credentials never reach a log line, `llmux check`, a client or a provider they do not belong to. */

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

describe('log redaction of the query (table)', () => {
  const cases: Array<[string, string]> = [
    ['/v1/models?key=K1', '/v1/models?key=[redacted]'],
    ['/v1/models?xkey=1&%6bey=K2', '/v1/models?xkey=1&%6bey=[redacted]'],
    ['/v1/models?%6B%65%79=K3', '/v1/models?%6B%65%79=[redacted]'],
    ['/v1/models?KEY=K4&alt=sse', '/v1/models?KEY=[redacted]&alt=sse'],
    ['/v1/models?api_key=K5', '/v1/models?api_key=[redacted]'],
    ['/v1/models?alt=sse', '/v1/models?alt=sse'],
    ['/v1/models', '/v1/models'],
  ];
  for (const [url, expected] of cases) test(url, () => assert.equal(redactUrl(url), expected));
});

describe('config redaction (table)', () => {
  const cases: Array<[string, string]> = [
    ['https://tok-SECRET-USERINFO@example.invalid/v1', 'https://<redacted>@example.invalid/v1'],
    ['https://user:pa55word@example.invalid/v1', 'https://user:<redacted>@example.invalid/v1'],
    ['redis://:ss-SECRET@REDIS@cache.internal:6379', 'redis://<redacted>@cache.internal:6379'],
    ['redis://default:p@ss@w0rd@cache:6379/0', 'redis://default:<redacted>@cache:6379/0'],
    ['https://example.invalid/v1?key=AIzaSECRET&alt=sse', 'https://example.invalid/v1?key=<redacted>&alt=sse'],
    ['https://example.invalid/v1/a@b', 'https://example.invalid/v1/a@b'],
  ];
  for (const [url, expected] of cases) test(url, () => assert.equal(redactConfigUrl(url), expected));

  test('credential-like headers, rule values and nested secrets', () => {
    const out = JSON.stringify(
      redactSecrets({
        auth: { forward_auth: true, api_keys: [{ key: 'client-SECRET-1', name: 'a' }] },
        providers: [
          {
            name: 'azure',
            api_key: 'SECRET-API-KEY',
            headers: { 'Ocp-Apim-Subscription-Key': 'SECRET-APIM', 'Helicone-Auth': 'Bearer SECRET-HELICONE', 'X-Auth-Token': 'SECRET-XAT', 'OpenAI-Organization': 'org-visible' },
          },
        ],
        model_rules: [{ match_model: 'x', set: { api_key: 'SECRET-IN-RULE', model: 'visible-model' }, extra: { headers: { authorization: 'Bearer SECRET-EXTRA' } } }],
      }),
    );
    assert.doesNotMatch(out, /SECRET/);
    assert.match(out, /org-visible/);
    assert.match(out, /visible-model/);
    assert.match(out, /"forward_auth":true/);
  });

  test('llmux check prints no credential (canonical YAML and routing table)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmux-secrets-'));
    const path = join(dir, 'llmux.yaml');
    writeFileSync(
      path,
      [
        'endpoints:',
        '  - name: p1',
        '    base_url: https://tok-SECRET-USERINFO@example.invalid/v1',
        '    api_key: SECRET-PROVIDER-KEY',
        '    models: [m1]',
        '    headers: { Ocp-Apim-Subscription-Key: SECRET-APIM, Helicone-Auth: SECRET-HELICONE }',
        'rate_limit:',
        '  store: redis',
        '  redis_url: "redis://:ss-SECRET-REDIS@pw@cache.invalid:6379"',
        'model_rules:',
        '  - match_model: m1',
        '    extra: { api_key: SECRET-IN-RULE }',
        '',
      ].join('\n'),
    );
    let out: string;
    try {
      const r = await run(process.execPath, ['src/main.ts', 'check', '--config', path], { cwd: root, env: { PATH: process.env['PATH'] ?? '' } });
      out = r.stdout + r.stderr;
    } catch (error) {
      const e = error as { stdout: string; stderr: string };
      out = e.stdout + e.stderr;
    }
    assert.match(out, /p1/);
    assert.doesNotMatch(out, /SECRET/);
  });
});

describe('forward_auth with auth.api_keys', () => {
  test("llmux's own client key is never sent upstream; without keys the client's credential is", async (t) => {
    const mock = await startMockOpenAI({ name: 'm', models: ['gpt-4o-mini'] });
    t.after(() => mock.close());
    const withKeys = await startGateway({ auth: { forward_auth: true, api_keys: [{ key: 'llmux-client-key-SECRET', name: 'a' }] }, providers: [{ name: 'm', base_url: `${mock.url}/v1`, models: ['gpt-4o-mini'] }] });
    t.after(() => withKeys.close());
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    const res = await fetch(`${withKeys.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer llmux-client-key-SECRET', 'content-type': 'application/json' }, body });
    assert.equal(res.status, 200);
    const sent = mock.requests.at(-1);
    assert.equal(sent?.headers['authorization'], undefined);
    assert.doesNotMatch(JSON.stringify(sent?.headers), /llmux-client-key-SECRET/);

    const open = await startGateway({ auth: { forward_auth: true }, providers: [{ name: 'm', base_url: `${mock.url}/v1`, models: ['gpt-4o-mini'] }] });
    t.after(() => open.close());
    const res2 = await fetch(`${open.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-user-own-provider-key', 'content-type': 'application/json' }, body });
    assert.equal(res2.status, 200);
    assert.equal(mock.requests.at(-1)?.headers['authorization'], 'Bearer sk-user-own-provider-key');
  });

  test('a percent-encoded ?%6bey= authenticates and is redacted in the access line', async (t) => {
    const gw = await startGateway({ auth: { api_keys: [{ key: 'sk-gw-client-key-0123456789', name: 'a' }] } });
    t.after(() => gw.close());
    const res = await fetch(`${gw.url}/v1/models?xkey=1&%6bey=sk-gw-client-key-0123456789`);
    assert.equal(res.status, 200);
    await new Promise((r) => setTimeout(r, 50));
    assert.doesNotMatch(gw.logText(), /sk-gw-client-key/);
    assert.match(gw.logText(), /%6bey=\[redacted\]/);
  });
});

describe('provider keys in error answers', () => {
  test('a JSON-escaped echo or a prefix of the provider key is redacted in a passed-through 400', async (t) => {
    const KEY = 'tok_live_0123456789abcdef/with+slash==';
    const mock = await startMockOpenAI({
      name: 'm',
      handler: (req, res) => {
        const model = req.body?.['model'];
        const message = model === 'escaped' ? `bad key ${KEY.replace('/', '\\/')}` : `bad key ${KEY.slice(0, 24)}...`;
        res.writeHead(400, { 'content-type': 'application/json' });
        // Written by hand: JSON.stringify would not escape the slash the way PHP does.
        res.end(`{"error":{"message":"${message}","type":"invalid_request_error","param":null,"code":null}}`);
        return true;
      },
    });
    t.after(() => mock.close());
    const gw = await startGateway({ providers: [{ name: 'm', base_url: `${mock.url}/v1`, api_key: KEY, models: ['escaped', 'prefix'] }] });
    t.after(() => gw.close());
    for (const model of ['escaped', 'prefix']) {
      const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }) });
      const text = await res.text();
      assert.equal(res.status, 400, text);
      assert.doesNotMatch(text, /tok_live_0123/, model);
      assert.match(text, /\[redacted\]/, model);
    }
  });
});
