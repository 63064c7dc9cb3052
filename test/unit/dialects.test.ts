import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { formatCanonicalConfig } from '../../src/cli/canonical-config.ts';
import { parseCli } from '../../src/cli/parse-args.ts';
import { detectFileFormat } from '../../src/config/dialects/detect.ts';
import { parseListen } from '../../src/config/dialects/llm-relay.ts';
import { loadConfig, type LoadOptions, type LoadResult } from '../../src/config/load.ts';
import { parseConfigText } from '../../src/config/parse-text.ts';
import { configSchema } from '../../src/config/schema.ts';

const FIXTURES = new URL('../fixtures/seeds/', import.meta.url).pathname;

type Cli = LoadOptions['cli'];
type Loaded = Extract<LoadResult, { ok: true }>;

/** A fresh working directory holding the given files (copied fixtures or text). */
function workdir(files: Record<string, string> = {}, fixtures: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmux-dialect-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  for (const [name, fixture] of Object.entries(fixtures)) copyFileSync(join(FIXTURES, fixture), join(dir, name));
  return dir;
}

function load(cwd: string, env: Record<string, string> = {}, cli: Partial<Cli> = {}): LoadResult {
  return loadConfig({ cli: { apiKeys: [], ...cli }, env, cwd });
}

function ok(result: LoadResult): Loaded {
  if (!result.ok) assert.fail(`expected a valid config, got:\n${result.errors.join('\n')}`);
  return result;
}

function errors(result: LoadResult): string[] {
  assert.equal(result.ok, false, 'expected the config to be rejected');
  return result.ok ? [] : result.errors;
}

function fixtureObject(path: string): Record<string, unknown> {
  const parsed = parseConfigText(readFileSync(join(FIXTURES, path), 'utf8'), path);
  assert.ok(parsed.ok);
  return parsed.value as Record<string, unknown>;
}

describe('detectFileFormat', () => {
  test('recognises each seed example by keys only its format has', () => {
    assert.deepEqual(detectFileFormat(fixtureObject('000-go-oai-gateway/config.yaml')), { ok: true, format: 'llmux' });
    assert.deepEqual(detectFileFormat(fixtureObject('001-go-aiproxy/config.yaml')), { ok: true, format: 'go-aiproxy' });
    assert.deepEqual(detectFileFormat(fixtureObject('003-openai-compatible/config.json')), { ok: true, format: 'openai-compatible' });
    assert.deepEqual(detectFileFormat(fixtureObject('004-llm-relay/config.jsonc')), { ok: true, format: 'llm-relay' });
    assert.deepEqual(detectFileFormat({ server: { port: 1 }, providers: [] }), { ok: true, format: 'llmux' });
  });

  test('refuses a file with the keys of two formats', () => {
    const d = detectFileFormat({ model_providers: ['openai-custom'], upstream: 'http://h/v1' });
    assert.equal(d.ok, false);
    assert.match(d.ok ? '' : d.error, /model_providers \(go-aiproxy\) and upstream \(llm-relay\)/);
  });

  test('refuses llmux sections beside another format\'s keys, which would otherwise be ignored', () => {
    const d = detectFileFormat({ providers: [], server: {}, api_key: 'k' });
    assert.equal(d.ok, false);
    assert.match(d.ok ? '' : d.error, /server, providers \(llmux\) and api_key \(go-aiproxy\)/);
    // model_rules belongs to llm-relay's format as much as to llmux's.
    assert.deepEqual(detectFileFormat({ upstream: 'http://h/v1', model_rules: [] }), { ok: true, format: 'llm-relay' });
  });
});

describe('seed 000: go-oai-gateway config.yaml', () => {
  test('is llmux config with endpoints and model_overrides as synonyms', () => {
    const r = ok(load(workdir({}, { 'config.yaml': '000-go-oai-gateway/config.yaml' }), { PROVIDER_1_ORIGIN: 'http://127.0.0.1:1', PROVIDER_2_ORIGIN: 'http://127.0.0.1:2' }));
    assert.equal(r.format, 'llmux');
    assert.equal(r.translated, true);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(
      r.config.providers.map((p) => [p.name, p.type, p.base_url, p.api_key, p.weight]),
      [
        ['your-provider-1', 'openai', 'http://127.0.0.1:1/v1', 'sk-test-provider-1-key', 10],
        ['your-provider-2', 'openai', 'http://127.0.0.1:2/v1', 'sk-test-provider-2-key', 5],
      ],
    );
    assert.equal(r.config.routing.mode, 'merge');
    assert.deepEqual(r.config.routing.aliases, {
      'claude-3-opus': ['your-provider-1/claude-3-opus-20240229', 'your-provider-2/claude-v3-opus'],
      'gpt-4-turbo': ['your-provider-1/gpt-4-turbo-preview'],
    });
    assert.deepEqual([r.config.server.host, r.config.server.port], ['127.0.0.1', 8080]);
    assert.equal(r.config.auth.api_keys.length, 0);
  });
});

describe('seed 001: go-aiproxy', () => {
  const env = { OPENAI_ORIGIN: 'http://127.0.0.1:1', CLAUDE_ORIGIN: 'http://127.0.0.1:2' };

  test('its config.yaml becomes one provider per model_providers entry', () => {
    const r = ok(load(workdir({}, { 'config.yaml': '001-go-aiproxy/config.yaml' }), env));
    assert.equal(r.format, 'go-aiproxy');
    assert.deepEqual(r.canonical['providers'], [
      { name: 'openai-custom', type: 'openai', base_url: 'http://127.0.0.1:1/v1', api_key: 'sk-test-openai' },
      { name: 'claude-custom', type: 'anthropic', base_url: 'http://127.0.0.1:2', api_key: 'sk-ant-test-claude' },
      { name: 'gemini-cli', type: 'gemini', base_url: 'https://generativelanguage.googleapis.com', api_key: 'test-gemini-api-key' },
    ]);
    assert.deepEqual([r.config.server.host, r.config.server.port], ['0.0.0.0', 3000]);
    assert.deepEqual(r.config.auth.api_keys.map((k) => k.key), ['test-secret-key']);
    // The example sets a project id, which only the OAuth variant uses.
    assert.deepEqual(r.warnings, ['gemini.project_id: ignored (only gemini-cli-oauth uses a project id; the Gemini API key carries its own)']);
  });

  test('its defaults apply only in its format: port 3000, client key 123456, provider openai-custom', () => {
    const flagsOnly = ok(load(workdir(), {}, { aiproxy: { openaiApiKey: 'sk-o' } }));
    assert.equal(flagsOnly.format, 'go-aiproxy');
    assert.equal(flagsOnly.config.server.port, 3000);
    assert.equal(flagsOnly.config.server.host, '127.0.0.1');
    assert.deepEqual(flagsOnly.config.auth.api_keys.map((k) => k.key), ['123456']);
    assert.deepEqual(flagsOnly.config.providers.map((p) => [p.name, p.base_url, p.api_key]), [['openai-custom', 'https://api.openai.com/v1', 'sk-o']]);

    const envOnly = ok(load(workdir(), { AIPROXY_HOST: '0.0.0.0', OPENAI_API_KEY: 'sk-e' }));
    assert.equal(envOnly.format, 'go-aiproxy');
    assert.deepEqual([envOnly.config.server.host, envOnly.config.server.port], ['0.0.0.0', 3000]);
    assert.deepEqual(envOnly.config.auth.api_keys.map((k) => k.key), ['123456']);

    const file = ok(load(workdir({ 'config.yaml': 'model_providers: [claude-custom]\nclaude: { api_key: k }\n' })));
    assert.equal(file.config.server.port, 3000);
    assert.deepEqual(file.config.auth.api_keys.map((k) => k.key), ['123456']);

    // The same environment without a go-aiproxy variable is llmux's zero-config: 8080, no auth.
    const zero = ok(load(workdir(), { OPENAI_API_KEY: 'sk-e' }));
    assert.equal(zero.format, 'llmux');
    assert.equal(zero.config.server.port, 8080);
    assert.deepEqual(zero.config.auth.api_keys, []);
  });

  test('an explicit key replaces 123456: --api-key > AIPROXY_API_KEY > api_key in the file', () => {
    const dir = workdir({ 'config.yaml': 'api_key: from-file\nmodel_providers: openai-custom\n' });
    const keys = (r: LoadResult) => ok(r).config.auth.api_keys.map((k) => k.key);
    assert.deepEqual(keys(load(dir)), ['from-file']);
    assert.deepEqual(keys(load(dir, { AIPROXY_API_KEY: 'from-env' })), ['from-env']);
    assert.deepEqual(keys(load(dir, { AIPROXY_API_KEY: 'from-env' }, { apiKeys: ['from-flag'] })), ['from-flag']);
    assert.deepEqual(keys(load(workdir(), {}, { apiKeys: ['only-flag'], aiproxy: { modelProviders: ['openai-custom'] } })), ['only-flag']);
  });

  test('flag > environment > file for the listen address and each provider setting', () => {
    const dir = workdir({ 'config.yaml': 'host: 10.0.0.1\nport: 4000\nopenai: { api_key: file-key, base_url: "http://file/v1" }\n' });
    const fromFile = ok(load(dir));
    assert.deepEqual([fromFile.config.server.host, fromFile.config.server.port], ['10.0.0.1', 4000]);
    assert.deepEqual(fromFile.config.providers.map((p) => [p.api_key, p.base_url]), [['file-key', 'http://file/v1']]);
    const fromEnv = ok(load(dir, { AIPROXY_HOST: '10.0.0.2', AIPROXY_PORT: '5000', OPENAI_API_KEY: 'env-key', OPENAI_BASE_URL: 'http://env/v1' }));
    assert.deepEqual([fromEnv.config.server.host, fromEnv.config.server.port], ['10.0.0.2', 5000]);
    assert.deepEqual(fromEnv.config.providers.map((p) => [p.api_key, p.base_url]), [['env-key', 'http://env/v1']]);
    const fromFlags = ok(
      load(dir, { AIPROXY_PORT: '5000', OPENAI_API_KEY: 'env-key' }, { host: '10.0.0.3', port: 6000, aiproxy: { openaiApiKey: 'flag-key', openaiBaseUrl: 'http://flag/v1' } }),
    );
    assert.deepEqual([fromFlags.config.server.host, fromFlags.config.server.port], ['10.0.0.3', 6000]);
    assert.deepEqual(fromFlags.config.providers.map((p) => [p.api_key, p.base_url]), [['flag-key', 'http://flag/v1']]);
  });

  test('maps the four provider names; gemini-cli is the Gemini API, gemini-cli-oauth the Code Assist OAuth one', () => {
    const dir = workdir();
    const r = ok(
      load(dir, { GOOGLE_CLOUD_PROJECT: 'env-project', CLAUDE_API_KEY: 'sk-ant-env', GEMINI_API_KEY: 'g-env' }, {
        aiproxy: { modelProviders: ['openai-custom,claude-custom', 'gemini-cli', 'gemini-cli-oauth'], geminiOauthCredsFile: 'creds/oauth.json', claudeBaseUrl: 'http://claude.test' },
      }),
    );
    assert.deepEqual(r.canonical['providers'], [
      { name: 'openai-custom', type: 'openai', base_url: 'https://api.openai.com/v1' },
      { name: 'claude-custom', type: 'anthropic', base_url: 'http://claude.test', api_key: 'sk-ant-env' },
      { name: 'gemini-cli', type: 'gemini', base_url: 'https://generativelanguage.googleapis.com', api_key: 'g-env' },
      { name: 'gemini-cli-oauth', type: 'gemini-cli', oauth_creds_file: join(dir, 'creds/oauth.json'), project_id: 'env-project' },
    ]);
    const flag = ok(load(dir, { GOOGLE_CLOUD_PROJECT: 'env-project' }, { aiproxy: { modelProviders: ['gemini-cli-oauth'], projectId: 'flag-project', geminiOauthCredsFile: '/abs/creds.json' } }));
    assert.deepEqual(flag.canonical['providers'], [{ name: 'gemini-cli-oauth', type: 'gemini-cli', oauth_creds_file: '/abs/creds.json', project_id: 'flag-project' }]);
  });

  test('an unknown provider name is an error with a suggestion; a flag for a provider not listed is a warning', () => {
    assert.match(errors(load(workdir(), {}, { aiproxy: { modelProviders: ['openai-costum'] } }))[0] ?? '', /--model-provider: unknown provider "openai-costum" \(did you mean "openai-custom"\?\)/);
    const r = ok(load(workdir(), {}, { aiproxy: { modelProviders: ['openai-custom'], claudeApiKey: 'sk-ant' } }));
    assert.deepEqual(r.warnings, ['--claude-api-key: ignored (claude-custom is not in --model-provider)']);
    assert.doesNotMatch(r.warnings.join('\n'), /sk-ant/);
  });

  test('its flags are refused with a config file of another format', () => {
    const dir = workdir({ 'llmux.yaml': 'providers: []\n' });
    assert.match(errors(load(dir, {}, { aiproxy: { openaiApiKey: 'k' } }))[0] ?? '', /--openai-api-key: a flag of the go-aiproxy format, but the config file is in the llmux format/);
  });

  test('a key YAML reads as a number is still the key; a bad value names the llmux path it became', () => {
    assert.deepEqual(ok(load(workdir({ 'config.yaml': 'api_key: 123456\nport: "3001"\n' }))).config.auth.api_keys.map((k) => k.key), ['123456']);
    const e = errors(load(workdir({ 'config.yaml': 'openai: { base_url: "ftp://x" }\n' })));
    assert.deepEqual(e, ['providers[0].base_url: must be an http(s) URL', '(the paths above are those of the llmux config the go-aiproxy settings became)']);
  });

  test('unknown keys of its file are ignored with a warning', () => {
    const r = ok(load(workdir({ 'config.yaml': 'model_providers: [openai-custom]\nlog_level: debug\nopenai: { api_key: k, organization: o }\n' })));
    assert.deepEqual(r.warnings, ['log_level: ignored (not a setting of the go-aiproxy format)', 'openai.organization: ignored (not a setting of the go-aiproxy format)']);
  });
});

describe('seed 002: go-aigateway environment', () => {
  function envFile(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of readFileSync(join(FIXTURES, '002-go-aigateway/.env'), 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2];
    }
    return out;
  }

  test('its .env becomes one "*" provider (DashScope by default), client keys and 60 requests per minute', () => {
    const r = ok(load(workdir(), envFile()));
    assert.equal(r.format, 'go-aigateway');
    assert.deepEqual(r.canonical['providers'], [
      { name: 'target', type: 'openai', base_url: 'https://dashscope.aliyuncs.com/compatible-mode/v1', api_key: 'sk-test-dashscope-key', models: ['*'] },
    ]);
    assert.deepEqual(r.config.auth.api_keys.map((k) => [k.key, k.name]), [['sk-gateway-key1', 'gateway-key-1'], ['sk-gateway-key2', 'gateway-key-2']]);
    assert.equal(r.config.rate_limit?.rpm, 60);
    assert.equal(r.config.server.port, 8080);
    assert.deepEqual(r.config.server.cors, { origins: ['*'] });
    assert.deepEqual(r.warnings, []);
  });

  test('reads every variable of its table', () => {
    const r = ok(
      load(workdir(), {
        PORT: '9090',
        GIN_MODE: 'debug',
        TARGET_API_URL: 'http://127.0.0.1:1/v1',
        TARGET_API_KEY: 'sk-t',
        GATEWAY_API_KEYS: ' a , b ,',
        LOG_LEVEL: 'warning',
        LOG_FORMAT: 'text',
        RATE_LIMIT_REQUESTS_PER_MINUTE: '5',
        HEALTH_CHECK_ENABLED: 'false',
      }),
    );
    assert.equal(r.config.server.port, 9090);
    assert.equal(r.config.providers[0]?.base_url, 'http://127.0.0.1:1/v1');
    assert.deepEqual(r.config.auth.api_keys.map((k) => k.key), ['a', 'b']);
    assert.deepEqual([r.config.logging.level, r.config.logging.format], ['warn', 'pretty']);
    assert.equal(r.config.rate_limit?.rpm, 5);
    assert.equal(r.config.health_check.enabled, false);
    assert.deepEqual(r.warnings, ['GIN_MODE: ignored (a setting of the Gin framework go-aigateway is built on)']);
    assert.match(errors(load(workdir(), { TARGET_API_KEY: 'k', HEALTH_CHECK_ENABLED: 'maybe' }))[0] ?? '', /HEALTH_CHECK_ENABLED: must be true or false/);
  });

  test('the usual provider variables still add their providers; LLMUX_* still win', () => {
    const r = ok(load(workdir(), { TARGET_API_KEY: 'sk-t', OPENAI_API_KEY: 'sk-o', LLMUX_PORT: '7000', PORT: '9090' }));
    assert.deepEqual(r.config.providers.map((p) => p.name), ['target', 'openai']);
    assert.equal(r.config.server.port, 7000);
  });

  test('is read only without a config file, and not mixed with go-aiproxy variables', () => {
    const withFile = ok(load(workdir({ 'llmux.yaml': 'providers: []\n' }), { TARGET_API_KEY: 'sk-t' }));
    assert.equal(withFile.format, 'llmux');
    assert.deepEqual(withFile.warnings, ['TARGET_API_KEY: ignored (go-aigateway reads it only when there is no config file and no go-aiproxy flag)']);
    assert.match(errors(load(workdir(), { TARGET_API_KEY: 'sk-t', AIPROXY_PORT: '1' }))[0] ?? '', /AIPROXY_PORT, TARGET_API_KEY are set: variables of both go-aiproxy/);
  });
});

describe('seed 003: OpenAICompatible config.json', () => {
  test('maps every entry to a provider named by its prefix, in prefix mode, fields 1:1', () => {
    const dir = workdir({}, { 'config.json': '003-openai-compatible/config.json' });
    const r = ok(load(dir));
    assert.equal(r.format, 'openai-compatible');
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.canonical['server'], { host: '0.0.0.0', port: 8080 });
    assert.deepEqual(r.canonical['routing'], { mode: 'prefix' });
    assert.deepEqual(r.canonical['providers'], [
      {
        name: 'codegeex1',
        type: 'codegeex',
        token: 'test-codegeex-token-1',
        user_id: 'user_id_1',
        ide: 'vscode',
        ide_version: '1.0.0',
        plugin_version: '1.0.0',
        machine_id: 'machine_1',
        talk_id: 'talk_1',
        locale: 'zh-CN',
        user_role: 1,
      },
      { name: 'codegeex2', type: 'codegeex', token: 'test-codegeex-token-2' },
      { name: 'qwen1', type: 'qwen', token: 'test-qwen-token-1' },
      { name: 'qwen2', type: 'qwen', token: 'test-qwen-token-2' },
      {
        name: 'gemini1',
        type: 'gemini-cli',
        project_id: 'test-gemini-project',
        token: { access_token: 'ya29.test-access-token', token_type: 'Bearer', refresh_token: '1//test-refresh-token', expiry: '2030-01-01T00:00:00Z' },
        token_location: { file: join(dir, 'config.json'), pointer: ['gemini_cli', 0, 'token'] },
      },
    ]);
    assert.equal(r.config.routing.mode, 'prefix');
    assert.equal(r.config.providers[0]?.user_role, 1);
  });

  test('the seed example verbatim (an empty token object) still maps', () => {
    const r = ok(load(workdir({ 'config.json': '{"gemini_cli": [{"project_id": "p", "token": {\n// 你的Gemini访问令牌\n}, "prefix": "gemini1"}]}' })));
    assert.deepEqual(r.config.providers[0]?.token, {});
  });

  test('entries without a prefix take the kind name; a taken name gets a number and a warning', () => {
    const r = ok(load(workdir({ 'config.json': JSON.stringify({ codegeex: [{ token: 'a' }, { token: 'b' }], qwen: [{ token: 'c' }], gemini_cli: [{ token: { access_token: 't' } }] }) })));
    assert.deepEqual(r.config.providers.map((p) => p.name), ['codegeex', 'codegeex-2', 'qwen', 'gemini_cli']);
    assert.deepEqual(r.warnings, ['codegeex[1]: the prefix "codegeex" is already used by codegeex[0]; llmux names this provider "codegeex-2", so its models are "codegeex-2/<model>"']);
  });

  test('unknown keys are warnings; a prefix with "/" is an error', () => {
    const r = ok(load(workdir({ 'config.json': JSON.stringify({ debug: true, qwen: [{ token: 'c', proxy: 'http://p' }] }) })));
    assert.deepEqual(r.warnings, [
      'debug: ignored (not a setting of the OpenAICompatible format)',
      'qwen[0].proxy: ignored (not a setting of the OpenAICompatible format)',
    ]);
    assert.match(errors(load(workdir({ 'config.json': JSON.stringify({ qwen: [{ token: 'c', prefix: 'a/b' }] }) })))[0] ?? '', /qwen\[0\]\.prefix: must not contain "\/"/);
  });
});

describe('seed 004: llm-relay config.jsonc', () => {
  test('listen, one "*" upstream, forward_auth and its model_rules as they are', () => {
    const r = ok(load(workdir({}, { 'config.jsonc': '004-llm-relay/config.jsonc' }), { UPSTREAM_ORIGIN: 'http://127.0.0.1:1' }));
    assert.equal(r.format, 'llm-relay');
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.canonical, {
      server: { host: '0.0.0.0', port: 8080 },
      providers: [{ name: 'upstream', type: 'openai', base_url: 'http://127.0.0.1:1/v1', models: ['*'] }],
      auth: { forward_auth: false },
      model_rules: [
        { match_model: 'gpt-3.5-turbo', set: { model: 'qwen2.5-72b-instruct', temperature: 0.7, top_p: 0.9 }, extra: { custom_param: 'value' }, unset: ['presence_penalty'] },
        { match_model: 'default', set: { temperature: 0.7, top_p: 0.95 } },
      ],
    });
  });

  test('reads Go listen addresses', () => {
    assert.deepEqual(parseListen('0.0.0.0:8080'), { host: '0.0.0.0', port: 8080 });
    assert.deepEqual(parseListen(':9000'), { host: '0.0.0.0', port: 9000 });
    assert.deepEqual(parseListen('localhost:1'), { host: 'localhost', port: 1 });
    assert.deepEqual(parseListen('[::1]:8080'), { host: '::1', port: 8080 });
    assert.equal(parseListen('8080'), undefined);
    assert.equal(parseListen('h:70000'), undefined);
  });

  test('needs an upstream; other keys are warnings', () => {
    assert.match(errors(load(workdir({ 'config.jsonc': '{"listen": ":1"}' })))[0] ?? '', /upstream: is required/);
    const r = ok(load(workdir({ 'config.jsonc': '{"upstream": "http://h/v1", "timeout": 30, "model_rules": [{"match_model": "a", "comment": "x"}]}' })));
    assert.deepEqual(r.warnings, ['timeout: ignored (not a setting of the llm-relay format)', 'model_rules[0].comment: ignored (not a setting of the llm-relay format)']);
  });
});

describe('formatCanonicalConfig', () => {
  test('prints the mapped config as YAML llmux accepts, with every credential redacted', () => {
    const dir = workdir({}, { 'config.json': '003-openai-compatible/config.json' });
    const r = ok(load(dir));
    const text = formatCanonicalConfig(r.canonical);
    for (const secret of ['test-codegeex-token', 'test-qwen-token', 'ya29.', '1//test-refresh']) assert.ok(!text.includes(secret), `${secret} leaked:\n${text}`);
    assert.ok(configSchema.safeParse(parseYaml(text)).success);

    const aiproxy = ok(load(workdir(), { OPENAI_API_KEY: 'sk-leak-1' }, { apiKeys: ['client-leak'], aiproxy: { openaiApiKey: 'sk-leak-2' } }));
    const other = formatCanonicalConfig({
      ...aiproxy.canonical,
      rate_limit: { store: 'redis', redis_url: 'redis://:hunter2@redis:6379' },
      providers: [{ name: 'g', type: 'gemini-cli', oauth_client_secret: 'GOCSPX-leak', headers: { Authorization: 'Bearer x', 'X-Title': 'kept' } }],
    });
    assert.doesNotMatch(other, /sk-leak|client-leak|hunter2|Bearer x|GOCSPX-leak/);
    assert.match(other, /port: 3000/);
    assert.match(other, /X-Title: kept/);
    assert.ok(other.indexOf('server:') < other.indexOf('rate_limit:') && other.indexOf('rate_limit:') < other.indexOf('providers:'));
  });
});

describe('parseCli: go-aiproxy flags', () => {
  test('are read, comma lists and repeats alike, beside llmux flags', () => {
    const r = parseCli([
      '--model-provider',
      'openai-custom,claude-custom',
      '--model-provider=gemini-cli-oauth',
      '--openai-api-key',
      'a',
      '--openai-base-url',
      'b',
      '--claude-api-key',
      'c',
      '--claude-base-url',
      'd',
      '--gemini-api-key',
      'e',
      '--gemini-oauth-creds-file',
      'f',
      '--project-id',
      'g',
      '--api-key',
      'k',
      '--port',
      '3001',
    ]);
    assert.ok(r.ok);
    assert.deepEqual(r.args.aiproxy, {
      modelProviders: ['openai-custom,claude-custom', 'gemini-cli-oauth'],
      openaiApiKey: 'a',
      openaiBaseUrl: 'b',
      claudeApiKey: 'c',
      claudeBaseUrl: 'd',
      geminiApiKey: 'e',
      geminiOauthCredsFile: 'f',
      projectId: 'g',
    });
    assert.deepEqual([r.args.apiKeys, r.args.port], [['k'], 3001]);
    const plain = parseCli(['--port', '1']);
    assert.ok(plain.ok);
    assert.equal(plain.args.aiproxy, undefined);
  });
});
