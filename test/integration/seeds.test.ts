import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { applyEdits, modify, parse as parseJsonc } from 'jsonc-parser';
import OpenAI from 'openai';
import { loadConfig, type LoadOptions, type LoadResult } from '../../src/config/load.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { startMockAnthropic } from '../helpers/mock-anthropic.ts';
import { startMockCodeAssist, CA_TEXT, type CodeAssistMock } from '../helpers/mock-code-assist.ts';
import { codeGeexAnswer, CODEGEEX_MODELS, startMockCodeGeeX } from '../helpers/mock-codegeex.ts';
import { geminiCall, startMockGemini } from '../helpers/mock-gemini.ts';
import { replyText, startMockOpenAI, type MockUpstream } from '../helpers/mock-openai.ts';
import { QWEN_ANSWER, QWEN_MODELS, startMockQwen } from '../helpers/mock-qwen.ts';

/**
 * SPEC §9: each seed system's own example, copied into test/fixtures/seeds with only its URLs
 * pointed at local mocks and its keys made up, runs unchanged, and real requests through it
 * (official OpenAI SDK) behave as that seed documents: routing, weights, overrides, rules, keys.
 */

const FIXTURES = new URL('../fixtures/seeds/', import.meta.url).pathname;
const ROOT = new URL('../..', import.meta.url).pathname;
const run = promisify(execFile);

type Loaded = Extract<LoadResult, { ok: true }>;

/** Loads a seed example the way `llmux` would find it: as that file in the directory it runs in. */
function loadSeed(files: Record<string, string>, env: Record<string, string>, cli: Partial<LoadOptions['cli']> = {}): Loaded {
  const dir = mkdtempSync(join(tmpdir(), 'llmux-seed-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const result = loadConfig({ cli: { apiKeys: [], ...cli }, env, cwd: dir });
  if (!result.ok) assert.fail(`the seed example was rejected:\n${result.errors.join('\n')}`);
  return result;
}

function fixture(path: string): string {
  return readFileSync(join(FIXTURES, path), 'utf8');
}

function client(gateway: { url: string }, apiKey = 'unused', headers: Record<string, string> = {}): OpenAI {
  return new OpenAI({ apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0, defaultHeaders: headers });
}

async function say(openai: OpenAI, model: string, extra: Record<string, unknown> = {}): Promise<OpenAI.ChatCompletion> {
  return openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello!' }], ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming);
}

async function streamText(openai: OpenAI, model: string): Promise<string> {
  const stream = await openai.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'Hello!' }] });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  return text;
}

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error.status ?? 0;
    throw error;
  }
}

function chatRequests(mock: MockUpstream): Array<Record<string, unknown>> {
  return mock.requests.filter((r) => r.method === 'POST').map((r) => r.body ?? {});
}

// ---- processes -----------------------------------------------------------------------------------

interface Launched {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Only what a user's shell would have, so the developer's own provider keys cannot leak in. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? tmpdir(), INIT_CWD: mkdtempSync(join(tmpdir(), 'llmux-seed-cwd-')), ...extra };
}

/** Starts llmux as a user would (node, the bin, or npm start) and waits for its listen line. */
async function launch(command: string, args: string[], env: Record<string, string>, cwd = ROOT): Promise<Launched> {
  // npm start runs llmux in a child of npm: a process group lets stop() reach both.
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const pid = child.pid;
    if (pid !== undefined) process.kill(-pid, 'SIGTERM');
    const timer = setTimeout(() => pid !== undefined && process.kill(-pid, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`llmux did not start:\n${output}`)), 20_000);
      const check = (): void => {
        const m = /listening on (http:\/\/[\d.:]+)/.exec(output);
        if (m?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`llmux exited:\n${output}`));
      });
    });
    return { url, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ---- seed 000 ------------------------------------------------------------------------------------

describe('seed 000: go-oai-gateway config.yaml', () => {
  let p1: MockUpstream;
  let p2: MockUpstream;
  let gw: TestGateway;
  let env: Record<string, string>;
  before(async () => {
    p1 = await startMockOpenAI({ name: 'provider-1', models: ['gpt-4o', 'claude-3-opus-20240229', 'gpt-4-turbo-preview'] });
    p2 = await startMockOpenAI({ name: 'provider-2', models: ['gpt-4o', 'claude-v3-opus'] });
    env = { PROVIDER_1_ORIGIN: p1.url, PROVIDER_2_ORIGIN: p2.url };
    gw = await startGateway(loadSeed({ 'config.yaml': fixture('000-go-oai-gateway/config.yaml') }, env).canonical);
  });
  after(async () => {
    await gw.close();
    await p1.close();
    await p2.close();
  });

  test('GET /v1/models merges both endpoints and adds the overrides', async () => {
    const models = new Map((await client(gw).models.list()).data.map((m) => [m.id, m.owned_by]));
    assert.deepEqual([...models.keys()].sort(), ['claude-3-opus', 'claude-3-opus-20240229', 'claude-v3-opus', 'gpt-4-turbo', 'gpt-4-turbo-preview', 'gpt-4o']);
    assert.equal(models.get('gpt-4o'), 'llmux');
    assert.equal(models.get('claude-v3-opus'), 'your-provider-2');
  });

  test('a model both endpoints serve is balanced by weight 10:5, smoothly (a b a a b a)', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const answer = await say(client(gw), 'gpt-4o');
      seen.push(answer.choices[0]?.message.content === replyText('provider-1') ? 'a' : 'b');
    }
    assert.deepEqual(seen, ['a', 'b', 'a', 'a', 'b', 'a']);
  });

  test('model_overrides send each endpoint its own model name, weighted like the endpoints', async () => {
    const before1 = chatRequests(p1).length;
    const before2 = chatRequests(p2).length;
    const models: unknown[] = [];
    for (let i = 0; i < 3; i++) models.push((await say(client(gw), 'claude-3-opus')).model);
    // The answer's model is what the upstream reported.
    assert.deepEqual(models, ['claude-3-opus-20240229', 'claude-v3-opus', 'claude-3-opus-20240229']);
    assert.deepEqual(chatRequests(p1).slice(before1).map((b) => b['model']), ['claude-3-opus-20240229', 'claude-3-opus-20240229']);
    assert.deepEqual(chatRequests(p2).slice(before2).map((b) => b['model']), ['claude-v3-opus']);

    const turbo = await say(client(gw), 'gpt-4-turbo');
    assert.equal(turbo.model, 'gpt-4-turbo-preview');
    assert.equal(chatRequests(p1).at(-1)?.['model'], 'gpt-4-turbo-preview');
  });

  test('each endpoint receives its own api_key; streams pass through', async () => {
    assert.equal(await streamText(client(gw), 'claude-v3-opus'), replyText('provider-2'));
    const keys = (mock: MockUpstream) => new Set(mock.requests.filter((r) => r.method === 'POST').map((r) => r.headers['authorization']));
    assert.deepEqual(keys(p1), new Set(['Bearer sk-test-provider-1-key']));
    assert.deepEqual(keys(p2), new Set(['Bearer sk-test-provider-2-key']));
  });

  test('routing.mode "prefix" exposes "<endpoint>/<model>"', async () => {
    const text = fixture('000-go-oai-gateway/config.yaml').replace('mode: "merge"', 'mode: "prefix"');
    const prefixed = await startGateway(loadSeed({ 'config.yaml': text }, env).canonical);
    try {
      const ids = (await client(prefixed).models.list()).data.map((m) => m.id);
      assert.ok(ids.includes('your-provider-1/gpt-4o') && ids.includes('your-provider-2/gpt-4o') && !ids.includes('gpt-4o'), ids.join(', '));
      const answer = await say(client(prefixed), 'your-provider-2/gpt-4o');
      assert.equal(answer.choices[0]?.message.content, replyText('provider-2'));
      assert.equal(await status(say(client(prefixed), 'gpt-4o')), 404);
    } finally {
      await prefixed.close();
    }
  });
});

// ---- seed 001 ------------------------------------------------------------------------------------

describe('seed 001: go-aiproxy flags, environment and config.yaml', () => {
  let openai: MockUpstream;
  let claude: MockUpstream;
  let gemini: MockUpstream;
  before(async () => {
    openai = await startMockOpenAI({ name: 'openai', models: ['gpt-3.5-turbo', 'gpt-4o', 'shared-model'] });
    claude = await startMockAnthropic({ name: 'claude', models: ['claude-3-opus-20240229', 'shared-model'] });
    gemini = await startMockGemini({ name: 'gemini', models: ['gemini-2.5-flash', 'shared-model'] });
  });
  after(async () => {
    await openai.close();
    await claude.close();
    await gemini.close();
  });

  test('its config.yaml: models route by each provider\'s list, X-Model-Provider pins, api_key replaces 123456', async () => {
    const loaded = loadSeed({ 'config.yaml': fixture('001-go-aiproxy/config.yaml') }, { OPENAI_ORIGIN: openai.url, CLAUDE_ORIGIN: claude.url, GEMINI_BASE_URL: gemini.url });
    assert.equal(loaded.config.server.port, 3000);
    const gw = await startGateway(loaded.canonical);
    try {
      const ok = client(gw, 'test-secret-key');
      assert.equal(await status(say(client(gw, '123456'), 'gpt-3.5-turbo')), 401);
      assert.equal(await status(say(client(gw), 'gpt-3.5-turbo')), 401);

      const ids = (await ok.models.list()).data.map((m) => m.id).sort();
      assert.deepEqual(ids, ['claude-3-opus-20240229', 'gemini-2.5-flash', 'gpt-3.5-turbo', 'gpt-4o', 'shared-model']);

      assert.equal((await say(ok, 'gpt-3.5-turbo')).choices[0]?.message.content, replyText('openai'));
      assert.equal(openai.requests.at(-1)?.headers['authorization'], 'Bearer sk-test-openai');
      assert.equal((await say(ok, 'claude-3-opus-20240229')).choices[0]?.message.content, 'Hello from claude');
      assert.equal(claude.requests.at(-1)?.headers['x-api-key'], 'sk-ant-test-claude');
      assert.equal((await say(ok, 'gemini-2.5-flash')).choices[0]?.message.content, 'Hello from gemini');
      const last = gemini.requests.at(-1);
      assert.ok(last !== undefined);
      assert.equal(geminiCall(last).model, 'gemini-2.5-flash');
      assert.equal(last.headers['x-goog-api-key'], 'test-gemini-api-key');
      assert.equal(await streamText(ok, 'claude-3-opus-20240229'), 'Hello from claude');

      // The README's example: X-Model-Provider picks the provider of a model several serve.
      for (const [pin, mock, expected] of [
        ['claude-custom', claude, 'Hello from claude'],
        ['openai-custom', openai, replyText('openai')],
        ['gemini-cli', gemini, 'Hello from gemini'],
      ] as const) {
        const before = mock.requests.length;
        const answer = await say(client(gw, 'test-secret-key', { 'X-Model-Provider': pin }), 'shared-model');
        assert.equal(answer.choices[0]?.message.content, expected, pin);
        assert.equal(mock.requests.length, before + 1, pin);
      }
      assert.equal(await status(say(client(gw, 'test-secret-key', { 'X-Model-Provider': 'claude-custom' }), 'gpt-3.5-turbo')), 404);
    } finally {
      await gw.close();
    }
  });

  test('flags only, through the llmux bin: default key 123456, providers from --model-provider', async () => {
    const proc = await launch(
      process.execPath,
      [
        'bin/llmux.js',
        '--model-provider',
        'openai-custom,claude-custom',
        '--openai-api-key',
        'sk-flag-openai',
        '--openai-base-url',
        `${openai.url}/v1`,
        '--claude-api-key',
        'sk-flag-claude',
        '--claude-base-url',
        claude.url,
        // 3000 may be taken on this machine; the dialect's unit test and `llmux check` below cover the default.
        '--port',
        '0',
      ],
      cleanEnv({}),
    );
    try {
      assert.equal(await status(say(client(proc, 'wrong'), 'gpt-3.5-turbo')), 401);
      const ok = client(proc, '123456');
      assert.equal((await say(ok, 'gpt-3.5-turbo')).choices[0]?.message.content, replyText('openai'));
      assert.equal(openai.requests.at(-1)?.headers['authorization'], 'Bearer sk-flag-openai');
      const pinned = await say(client(proc, '123456', { 'X-Model-Provider': 'claude-custom' }), 'shared-model');
      assert.equal(pinned.choices[0]?.message.content, 'Hello from claude');
      assert.equal(claude.requests.at(-1)?.headers['x-api-key'], 'sk-flag-claude');
      assert.doesNotMatch(proc.output(), /sk-flag-/);
    } finally {
      await proc.stop();
    }
  });

  test('flags pass through `npm start --`; an explicit --api-key replaces 123456', async () => {
    const proc = await launch(
      'npm',
      ['--prefix', ROOT, 'start', '--', '--model-provider', 'openai-custom', '--openai-base-url', `${openai.url}/v1`, '--openai-api-key', 'sk-npm', '--api-key', 'explicit-key', '--port', '0'],
      cleanEnv({}),
      mkdtempSync(join(tmpdir(), 'llmux-seed-npm-')),
    );
    try {
      assert.equal(await status(say(client(proc, '123456'), 'gpt-4o')), 401);
      assert.equal((await say(client(proc, 'explicit-key'), 'gpt-4o')).choices[0]?.message.content, replyText('openai'));
      assert.equal(openai.requests.at(-1)?.headers['authorization'], 'Bearer sk-npm');
    } finally {
      await proc.stop();
    }
  });

  test('environment only: AIPROXY_HOST, AIPROXY_PORT, AIPROXY_API_KEY and OPENAI_API_KEY', async () => {
    const proc = await launch(
      process.execPath,
      ['src/main.ts'],
      cleanEnv({ AIPROXY_HOST: '127.0.0.1', AIPROXY_PORT: '0', AIPROXY_API_KEY: 'env-client-key', OPENAI_API_KEY: 'sk-env-openai', OPENAI_BASE_URL: `${openai.url}/v1` }),
    );
    try {
      assert.doesNotMatch(proc.url, /:3000$/);
      assert.equal(await status(say(client(proc, '123456'), 'gpt-4o')), 401);
      assert.equal((await say(client(proc, 'env-client-key'), 'gpt-4o')).choices[0]?.message.content, replyText('openai'));
      assert.equal(openai.requests.at(-1)?.headers['authorization'], 'Bearer sk-env-openai');
      // The format's default provider list is openai-custom alone.
      const ids = (await client(proc, 'env-client-key').models.list()).data.map((m) => m.owned_by);
      assert.deepEqual([...new Set(ids)], ['openai-custom']);
    } finally {
      await proc.stop();
    }
  });

  test('llmux check shows what the flags became: port 3000, one client key, no secrets', async () => {
    const { stdout } = await run(
      process.execPath,
      ['src/main.ts', 'check', '--model-provider', 'openai-custom', '--openai-base-url', `${openai.url}/v1`, '--openai-api-key', 'sk-check-secret'],
      { cwd: ROOT, env: cleanEnv({}) },
    );
    assert.match(stdout, /^format: go-aiproxy$/m);
    assert.match(stdout, /^listen: 127\.0\.0\.1:3000 .* auth: 1 key\(s\)/m);
    assert.match(stdout, /^ {2}server:\n {4}port: 3000$/m);
    assert.match(stdout, /name: openai-custom/);
    assert.match(stdout, /gpt-3\.5-turbo\s+-> openai-custom\/gpt-3\.5-turbo \(1\)/);
    assert.doesNotMatch(stdout, /sk-check-secret|123456/);
    assert.match(stdout, /config OK/);
  });
});

// ---- seed 002 ------------------------------------------------------------------------------------

describe('seed 002: go-aigateway environment variables', () => {
  let target: MockUpstream;
  let env: Record<string, string>;
  before(async () => {
    target = await startMockOpenAI({ name: 'dashscope', models: ['qwen-turbo', 'qwen-plus'] });
    env = { TARGET_API_URL: `${target.url}/v1` };
    for (const line of fixture('002-go-aigateway/.env').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m?.[1] !== undefined && m[2] !== undefined) env[m[1]] = m[2];
    }
  });
  after(() => target.close());

  test('every model goes to the target with its key; the list is the target\'s; gateway keys are required', async () => {
    const gw = await startGateway(loadSeed({}, env).canonical);
    try {
      assert.equal(await status(say(client(gw, 'nope'), 'qwen-turbo')), 401);
      const ids = (await client(gw, 'sk-gateway-key1').models.list()).data.map((m) => m.id).sort();
      assert.deepEqual(ids, ['qwen-plus', 'qwen-turbo']);
      for (const [key, model] of [
        ['sk-gateway-key1', 'qwen-turbo'],
        ['sk-gateway-key2', 'qwen-max-2025-01-25'],
      ] as const) {
        const answer = await say(client(gw, key), model);
        assert.equal(answer.choices[0]?.message.content, replyText('dashscope'));
        assert.equal(chatRequests(target).at(-1)?.['model'], model);
        assert.equal(target.requests.at(-1)?.headers['authorization'], 'Bearer sk-test-dashscope-key');
      }
      assert.equal(await streamText(client(gw, 'sk-gateway-key1'), 'qwen-plus'), replyText('dashscope'));
    } finally {
      await gw.close();
    }
  });

  test('RATE_LIMIT_REQUESTS_PER_MINUTE limits each key (60 when unset)', async () => {
    assert.equal(loadSeed({}, env).config.rate_limit?.rpm, 60);
    const gw = await startGateway(loadSeed({}, { ...env, RATE_LIMIT_REQUESTS_PER_MINUTE: '3' }).canonical);
    try {
      const send = (key: string) =>
        fetch(`${gw.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'qwen-turbo', messages: [{ role: 'user', content: 'hi' }] }),
        });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await send('sk-gateway-key1')).status);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      const other = await send('sk-gateway-key2');
      assert.equal(other.status, 200);
      assert.equal(other.headers.get('x-ratelimit-limit-requests'), '3');
    } finally {
      await gw.close();
    }
  });

  test('runs from the environment alone as a process (PORT, LOG_LEVEL, HEALTH_CHECK_ENABLED)', async () => {
    const proc = await launch(process.execPath, ['src/main.ts'], cleanEnv({ ...env, PORT: '0', LOG_LEVEL: 'info', LOG_FORMAT: 'json', HEALTH_CHECK_ENABLED: 'true' }));
    try {
      assert.deepEqual(await (await fetch(`${proc.url}/health`)).json(), { status: 'ok' });
      const ids = (await client(proc, 'sk-gateway-key2').models.list()).data.map((m) => m.id).sort();
      assert.deepEqual(ids, ['qwen-plus', 'qwen-turbo']);
      assert.doesNotMatch(proc.output(), /sk-test-dashscope-key|sk-gateway-key/);
    } finally {
      await proc.stop();
    }
  });
});

// ---- seed 003 ------------------------------------------------------------------------------------

describe('seed 003: OpenAICompatible config.json', () => {
  const mocks: Record<string, MockUpstream> = {};
  let codeAssist: CodeAssistMock;
  let text: string;
  before(async () => {
    mocks['codegeex1'] = await startMockCodeGeeX({ token: 'test-codegeex-token-1' });
    mocks['codegeex2'] = await startMockCodeGeeX({ token: 'test-codegeex-token-2' });
    mocks['qwen1'] = await startMockQwen({ token: 'test-qwen-token-1' });
    mocks['qwen2'] = await startMockQwen({ token: 'test-qwen-token-2' });
    codeAssist = await startMockCodeAssist({ refreshToken: '1//test-refresh-token', project: 'test-gemini-project' });
    // The seed's entries have no URLs; point each at its mock, keeping the file's comments.
    text = fixture('003-openai-compatible/config.json');
    const set = (path: Array<string | number>, value: string): void => {
      text = applyEdits(text, modify(text, path, value, { formattingOptions: { insertSpaces: true, tabSize: 4 } }));
    };
    for (const [kind, i, name] of [
      ['codegeex', 0, 'codegeex1'],
      ['codegeex', 1, 'codegeex2'],
      ['qwen', 0, 'qwen1'],
      ['qwen', 1, 'qwen2'],
    ] as const) {
      set([kind, i, 'base_url'], mocks[name]?.url ?? '');
    }
    set(['gemini_cli', 0, 'base_url'], codeAssist.url);
    set(['gemini_cli', 0, 'oauth_token_url'], `${codeAssist.url}/token`);
    // Expired, so the first call refreshes it and the provider writes the new one back into config.json.
    set(['gemini_cli', 0, 'token', 'expiry'], '2020-01-01T00:00:00Z');
  });
  after(async () => {
    for (const m of Object.values(mocks)) await m.close();
    await codeAssist.close();
  });

  test('every entry is a "<prefix>/<model>" provider with its own token; models come from each provider', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmux-seed-003-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, text);
    const loaded = loadConfig({ cli: { apiKeys: [] }, env: {}, cwd: dir });
    if (!loaded.ok) assert.fail(loaded.errors.join('\n'));
    const gw = await startGateway(loaded.canonical);
    try {
      const ids = (await client(gw).models.list()).data.map((m) => m.id);
      for (const prefix of ['codegeex1', 'codegeex2']) for (const m of CODEGEEX_MODELS) assert.ok(ids.includes(`${prefix}/${m}`), `${prefix}/${m} in ${ids.join(', ')}`);
      for (const prefix of ['qwen1', 'qwen2']) for (const m of QWEN_MODELS) assert.ok(ids.includes(`${prefix}/${m}`), `${prefix}/${m} in ${ids.join(', ')}`);
      assert.ok(ids.includes('gemini1/gemini-2.5-flash'), ids.join(', '));
      assert.ok(!ids.includes(CODEGEEX_MODELS[0]), 'prefix mode lists no bare names');

      for (const name of ['codegeex1', 'codegeex2'] as const) {
        const mock = mocks[name];
        assert.ok(mock !== undefined);
        const answer = await say(client(gw), `${name}/${CODEGEEX_MODELS[0]}`);
        assert.equal(answer.choices[0]?.message.content, codeGeexAnswer(String(mock.requests.at(-1)?.body?.['prompt'])));
        assert.equal(mock.requests.at(-1)?.headers['code-token'], `test-codegeex-token-${name.slice(-1)}`);
      }
      assert.equal(mocks['codegeex1']?.requests.at(-1)?.body?.['machineId'], 'machine_1');
      for (const name of ['qwen1', 'qwen2'] as const) {
        assert.equal(await streamText(client(gw), `${name}/${QWEN_MODELS[0]}`), QWEN_ANSWER.join(''));
        assert.equal(mocks[name]?.requests.at(-1)?.headers['authorization'], `Bearer test-qwen-token-${name.slice(-1)}`);
      }
      assert.equal(await status(say(client(gw), CODEGEEX_MODELS[0])), 404);

      const gemini = await say(client(gw), 'gemini1/gemini-2.5-flash');
      assert.equal(gemini.choices[0]?.message.content, CA_TEXT.join(''));
      assert.equal(codeAssist.tokenRequests.length, 1);
      // The refreshed token went back into the seed's own file, at gemini_cli[0].token, comments kept.
      const after = readFileSync(file, 'utf8');
      const token = (parseJsonc(after) as { gemini_cli: Array<{ token: Record<string, unknown> }> }).gemini_cli[0]?.token;
      assert.match(String(token?.['access_token']), /^ya29\.fresh-/);
      assert.equal(token?.['refresh_token'], '1//test-refresh-token');
      assert.match(after, /\/\/ 你的Gemini访问令牌/);
      assert.match(after, /\/\/ Copied from seeds\/003/);
    } finally {
      await gw.close();
    }
  });
});

// ---- seed 004 ------------------------------------------------------------------------------------

describe('seed 004: llm-relay config.jsonc', () => {
  let upstream: MockUpstream;
  let gw: TestGateway;
  let env: Record<string, string>;
  before(async () => {
    upstream = await startMockOpenAI({ name: 'ollama', models: ['qwen2.5-72b-instruct', 'llama3'] });
    env = { UPSTREAM_ORIGIN: upstream.url };
    gw = await startGateway(loadSeed({ 'config.jsonc': fixture('004-llm-relay/config.jsonc') }, env).canonical);
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  test('a matching rule applies unset -> set -> extra and remaps the model', async () => {
    const answer = await say(client(gw, 'client-token'), 'gpt-3.5-turbo', { temperature: 1.5, presence_penalty: 0.5, max_tokens: 9 });
    assert.equal(answer.model, 'qwen2.5-72b-instruct');
    const body = chatRequests(upstream).at(-1) ?? {};
    assert.equal(body['model'], 'qwen2.5-72b-instruct');
    assert.equal(body['temperature'], 0.7);
    assert.equal(body['top_p'], 0.9);
    assert.equal(body['custom_param'], 'value');
    assert.equal(body['max_tokens'], 9);
    assert.ok(!('presence_penalty' in body));

    assert.equal(await streamText(client(gw), 'gpt-3.5-turbo'), replyText('ollama'));
    assert.equal(chatRequests(upstream).at(-1)?.['model'], 'qwen2.5-72b-instruct');
  });

  test('the "default" rule applies to every other model, which goes to the upstream as named', async () => {
    for (const model of ['llama3', 'some-model-the-upstream-does-not-list']) {
      await say(client(gw), model, { temperature: 0.1, presence_penalty: 0.5 });
      const body = chatRequests(upstream).at(-1) ?? {};
      assert.equal(body['model'], model);
      assert.equal(body['temperature'], 0.7);
      assert.equal(body['top_p'], 0.95);
      assert.equal(body['presence_penalty'], 0.5);
      assert.ok(!('custom_param' in body));
    }
    const ids = (await client(gw).models.list()).data.map((m) => m.id).sort();
    assert.deepEqual(ids, ['llama3', 'qwen2.5-72b-instruct']);
  });

  test('forward_auth: false keeps the client\'s Authorization from the upstream; true forwards it', async () => {
    await say(client(gw, 'client-token'), 'llama3');
    assert.equal(upstream.requests.at(-1)?.headers['authorization'], undefined);

    const forwarding = fixture('004-llm-relay/config.jsonc').replace('"forward_auth": false', '"forward_auth": true');
    const gw2 = await startGateway(loadSeed({ 'config.jsonc': forwarding }, env).canonical);
    try {
      await say(client(gw2, 'client-token'), 'llama3');
      assert.equal(upstream.requests.at(-1)?.headers['authorization'], 'Bearer client-token');
    } finally {
      await gw2.close();
    }
  });
});
