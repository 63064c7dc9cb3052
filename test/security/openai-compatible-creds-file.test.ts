import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import { fromOpenAICompatible } from '../../src/config/dialects/openai-compatible.ts';
import { CA_TEXT, DISCOVERED_PROJECT, startMockCodeAssist } from '../helpers/mock-code-assist.ts';

/**
 * OpenAICompatible's gemini_cli entries may name the Gemini CLI's credentials file instead of
 * carrying the token inline (a Gemini CLI user's natural choice); it is refreshed and written
 * back there, as for llmux's own gemini-cli providers.
 */

const REFRESH = '1//refresh-token-openai-compatible-0001';
const root = new URL('../..', import.meta.url).pathname;

describe('OpenAICompatible gemini_cli with oauth_creds_file', () => {
  test('maps to the provider; an empty inline token beside it is no conflict, a real one is ignored with a warning', () => {
    const a = fromOpenAICompatible({ gemini_cli: [{ prefix: 'g', oauth_creds_file: '~/.gemini/oauth_creds.json', token: '' }] }, '/x/config.json');
    assert.deepEqual(a.errors, []);
    assert.deepEqual(a.warnings, []);
    assert.deepEqual(a.raw['providers'], [{ name: 'g', type: 'gemini-cli', oauth_creds_file: '~/.gemini/oauth_creds.json' }]);
    const b = fromOpenAICompatible({ gemini_cli: [{ prefix: 'g', oauth_creds_file: '/c.json', token: { refresh_token: 'r' } }] }, '/x/config.json');
    assert.match(b.warnings.join('\n'), /gemini_cli\[0\]\.token: ignored/);
    assert.equal((b.raw['providers'] as Array<Record<string, unknown>>)[0]?.['token'], undefined);
  });

  test('a real run refreshes the expired token and writes it back into the credentials file', async (t) => {
    const mock = await startMockCodeAssist({ refreshToken: REFRESH, project: DISCOVERED_PROJECT });
    t.after(() => mock.close());
    const dir = mkdtempSync(join(tmpdir(), 'llmux-oc-creds-'));
    const creds = join(dir, 'oauth_creds.json');
    writeFileSync(creds, JSON.stringify({ access_token: 'ya29.expired', refresh_token: REFRESH, token_type: 'Bearer', expiry_date: Date.now() - 60_000, scope: 's' }));
    const configFile = join(dir, 'config.json');
    writeFileSync(
      configFile,
      `{
  "host": "127.0.0.1",
  "port": 8080,
  // the Gemini CLI's own credentials file, not a copy of the token
  "gemini_cli": [{ "prefix": "gcli", "base_url": "${mock.url}", "oauth_token_url": "${mock.url}/token", "oauth_creds_file": "${creds}", "token": "" }]
}
`,
    );
    const child = spawn(process.execPath, [join(root, 'src/main.ts'), '--config', configFile, '--port', '0'], { cwd: dir, env: { ...process.env, INIT_CWD: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => child.kill('SIGKILL'));
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const deadline = Date.now() + 15_000;
    while (!/listening on http:\/\/[\d.:]+/.test(output)) {
      if (Date.now() > deadline) assert.fail(`did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /listening on (http:\/\/[\d.:]+)/.exec(output)?.[1] ?? '';
    const client = new OpenAI({ apiKey: 'x', baseURL: `${url}/v1`, maxRetries: 0 });
    const res = await client.chat.completions.create({ model: 'gcli/gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(res.choices[0]?.message.content, CA_TEXT.join(''));
    assert.equal(mock.tokenRequests.length, 1);
    const written = JSON.parse(readFileSync(creds, 'utf8')) as Record<string, unknown>;
    assert.match(String(written['access_token']), /^ya29\.fresh-1-/);
    assert.equal(typeof written['expiry_date'], 'number', 'kept in the Gemini CLI format (ms)');
    assert.equal(written['refresh_token'], REFRESH);
    assert.ok(readFileSync(configFile, 'utf8').includes('"token": ""'), 'config.json itself is left alone');
  });
});
