import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseCli } from '../../src/cli/parse-args.ts';
import { expandEnv } from '../../src/config/expand-env.ts';
import { loadConfig, type LoadResult } from '../../src/config/load.ts';
import { formatResetDuration, parseDuration, parseSize } from '../../src/config/units.ts';

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'llmux-config-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(d, name, '..'), { recursive: true });
    writeFileSync(join(d, name), text);
  }
  return d;
}

const noCli = { apiKeys: [] as string[] };

function load(files: Record<string, string>, env: Record<string, string> = {}, cli: Parameters<typeof loadConfig>[0]['cli'] = noCli): LoadResult {
  return loadConfig({ cli, env, cwd: dir(files) });
}

function errors(result: LoadResult): string[] {
  assert.equal(result.ok, false, 'expected the config to be rejected');
  return result.ok ? [] : result.errors;
}

function ok(result: LoadResult) {
  if (!result.ok) assert.fail(`expected a valid config, got:\n${result.errors.join('\n')}`);
  return result.config;
}

describe('parseDuration / parseSize', () => {
  const durations: Array<[unknown, number | undefined]> = [
    [30, 30_000],
    [0.5, 500],
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['10', 10_000],
    ['soon', undefined],
    ['5 parsecs', undefined],
    [-1, undefined],
  ];
  for (const [input, expected] of durations) {
    test(`reads duration ${JSON.stringify(input)} as ${expected} ms`, () => assert.equal(parseDuration(input), expected));
  }
  const sizes: Array<[unknown, number | undefined]> = [
    ['1mb', 1_048_576],
    ['20mb', 20_971_520],
    ['512kb', 524_288],
    ['1gb', 1_073_741_824],
    [1000, 1000],
    ['10MB', 10_485_760],
    ['lots', undefined],
  ];
  for (const [input, expected] of sizes) {
    test(`reads size ${JSON.stringify(input)} as ${expected} bytes`, () => assert.equal(parseSize(input), expected));
  }
  test('formats reset durations the way OpenAI does', () => {
    assert.equal(formatResetDuration(1000), '1s');
    assert.equal(formatResetDuration(360_000), '6m0s');
    assert.equal(formatResetDuration(250), '250ms');
    assert.equal(formatResetDuration(3_723_000), '1h2m3s');
  });
});

describe('expandEnv', () => {
  test('replaces ${VAR} and ${VAR:-default} in every string, at any depth', () => {
    const r = expandEnv({ a: '${A}', b: ['x-${B:-fallback}-y'], c: { d: '${C:-}' }, n: 5 }, { A: 'one' });
    assert.deepEqual(r.value, { a: 'one', b: ['x-fallback-y'], c: { d: '' }, n: 5 });
    assert.deepEqual(r.missing, []);
  });
  test('reports an unset variable without a default with its path', () => {
    const r = expandEnv({ providers: [{ api_key: '${NOPE}' }] }, {});
    assert.deepEqual(r.missing, [{ path: 'providers[0].api_key', name: 'NOPE' }]);
  });
  test('$${ escapes a literal ${', () => {
    assert.equal(expandEnv('cost $${HOME}', { HOME: '/root' }).value, 'cost ${HOME}');
  });
});

describe('loadConfig', () => {
  test('reads YAML with defaults filled in', () => {
    const c = ok(load({ 'llmux.yaml': 'providers:\n  - name: a\n    base_url: http://127.0.0.1:9/v1\n    api_key: k\n' }));
    assert.equal(c.server.host, '127.0.0.1');
    assert.equal(c.server.port, 8080);
    assert.equal(c.server.body_limit, 20 * 1024 * 1024);
    assert.equal(c.providers[0]?.type, 'openai');
    assert.equal(c.providers[0]?.weight, 1);
    assert.equal(c.providers[0]?.timeout, 600_000);
    assert.equal(c.routing.mode, 'merge');
  });

  test('reads JSONC and .json with comments and trailing commas', () => {
    const text = '{\n // a comment\n "server": { "port": 9000, },\n /* block */ "providers": [],\n}';
    assert.equal(ok(load({ 'llmux.jsonc': text })).server.port, 9000);
    assert.equal(ok(load({ 'config.json': text })).server.port, 9000);
  });

  test('discovery prefers llmux.* over config.* and yaml over json', () => {
    const c = ok(load({ 'config.yaml': 'server: { port: 1 }', 'llmux.json': '{"server":{"port":2}}', 'llmux.yaml': 'server: { port: 3 }' }));
    assert.equal(c.server.port, 3);
  });

  test('--config beats $LLMUX_CONFIG beats the working directory', () => {
    const d = dir({ 'a.yaml': 'server: { port: 1 }', 'b.yaml': 'server: { port: 2 }', 'llmux.yaml': 'server: { port: 3 }' });
    const at = (cli: { config?: string }, env: Record<string, string>) => {
      const r = loadConfig({ cli: { ...noCli, ...cli }, env, cwd: d });
      return ok(r).server.port;
    };
    assert.equal(at({ config: 'a.yaml' }, { LLMUX_CONFIG: 'b.yaml' }), 1);
    assert.equal(at({}, { LLMUX_CONFIG: 'b.yaml' }), 2);
    assert.equal(at({}, {}), 3);
  });

  test('a missing --config file is an error naming the path', () => {
    const e = errors(load({}, {}, { ...noCli, config: 'nope.yaml' }));
    assert.match(e[0] ?? '', /nope\.yaml: cannot read config file/);
  });

  test('interpolates the environment and accepts durations and sizes as strings', () => {
    const c = ok(
      load(
        { 'llmux.yaml': 'server:\n  body_limit: 1mb\n  drain_timeout: 5s\nproviders:\n  - name: a\n    base_url: ${BASE:-http://127.0.0.1:1/v1}\n    api_key: ${KEY}\n    timeout: 90s\n' },
        { KEY: 'sk-test' },
      ),
    );
    assert.equal(c.server.body_limit, 1_048_576);
    assert.equal(c.server.drain_timeout, 5000);
    assert.equal(c.providers[0]?.base_url, 'http://127.0.0.1:1/v1');
    assert.equal(c.providers[0]?.api_key, 'sk-test');
    assert.equal(c.providers[0]?.timeout, 90_000);
  });

  test('numbers and booleans may come from variables (`port: ${PORT}`); keys stay strings', () => {
    const c = ok(
      load(
        { 'llmux.yaml': 'server: { port: "${PORT}" }\nmetrics: { enabled: "${M:-false}" }\nauth: { api_keys: [{ key: "${K}", rpm: "${R}" }] }' },
        { PORT: '9000', K: '123456', R: '60' },
      ),
    );
    assert.equal(c.server.port, 9000);
    assert.equal(c.metrics.enabled, false);
    assert.equal(c.auth.api_keys[0]?.key, '123456');
    assert.equal(c.auth.api_keys[0]?.rpm, 60);
  });

  test('an unset variable is an error naming the path and the variable', () => {
    assert.deepEqual(errors(load({ 'llmux.yaml': 'providers:\n  - name: a\n    api_key: ${OPENAI_KEY_TYPO}\n' })), [
      'providers[0].api_key: environment variable OPENAI_KEY_TYPO is not set (use ${OPENAI_KEY_TYPO:-default} for a fallback)',
    ]);
  });

  test('accepts endpoints and model_overrides as synonyms (seed 000 config)', () => {
    const c = ok(
      load({
        'config.yaml': [
          'server:\n  host: "127.0.0.1"\n  port: 8080',
          'endpoints:\n  - name: "p1"\n    base_url: "https://api.p1.com/v1"\n    api_key: "sk-1"\n    weight: 10',
          '  - name: "p2"\n    base_url: "https://api.p2.com/v1"\n    api_key: "sk-2"\n    weight: 5',
          'routing:\n  mode: "merge"\n  model_overrides:\n    "claude-3-opus":\n      - "p1/claude-3-opus-20240229"\n      - "p2/claude-v3-opus"',
        ].join('\n'),
      }),
    );
    assert.deepEqual(c.providers.map((p) => [p.name, p.weight]), [['p1', 10], ['p2', 5]]);
    assert.deepEqual(c.routing.aliases['claude-3-opus'], ['p1/claude-3-opus-20240229', 'p2/claude-v3-opus']);
  });

  test('rejects both a key and its synonym', () => {
    assert.match(errors(load({ 'llmux.yaml': 'providers: []\nendpoints: []\n' }))[0] ?? '', /either providers or its synonym endpoints/);
  });

  test('reports every error at once, each with its path, unknown keys with a did-you-mean', () => {
    const e = errors(
      load({
        'llmux.yaml': [
          'servr: {}',
          'server:\n  prot: 1\n  port: "eighty"',
          'providers:\n  - name: a\n    base_url: ftp://example.com\n    wieght: 2\n    type: openia',
          'health_check:\n  interval: soon',
          'routing:\n  mode: round',
        ].join('\n'),
      }),
    );
    const expected = [
      'servr: unknown key (did you mean "server"?)',
      'server.prot: unknown key (did you mean "port"?)',
      'server.port: must be a number',
      'providers[0].base_url: must be an http(s) URL',
      'providers[0].wieght: unknown key (did you mean "weight"?)',
      'providers[0].type: must be one of "openai", "anthropic", "gemini", "gemini-cli", "codegeex", "qwen"',
      'health_check.interval: must be a duration',
      'routing.mode: must be one of "merge", "prefix"',
    ];
    for (const want of expected) assert.ok(e.some((line) => line.startsWith(want)), `missing "${want}" in:\n${e.join('\n')}`);
  });

  test('cross-checks provider names in aliases and rules', () => {
    const e = errors(
      load({
        'llmux.yaml': [
          'providers:\n  - { name: openai, base_url: "http://h/v1" }\n  - { name: openai, base_url: "http://h/v1" }',
          'routing:\n  aliases:\n    fast: [opnai/gpt-4o-mini, nomodel]',
          'model_rules:\n  - { match_model: x, match_provider: azure }',
        ].join('\n'),
      }),
    );
    assert.ok(e.includes('providers[1].name: duplicate provider name "openai" (also providers[0])'), e.join('\n'));
    assert.ok(e.includes('routing.aliases.fast[0]: unknown provider "opnai" (did you mean "openai"?)'), e.join('\n'));
    assert.ok(e.includes('routing.aliases.fast[1]: must be "<provider>/<model>" (got "nomodel")'), e.join('\n'));
    assert.ok(e.includes('model_rules[0].match_provider: unknown provider "azure"'), e.join('\n'));
  });

  test('invalid YAML or JSON is reported with a position', () => {
    assert.match(errors(load({ 'llmux.yaml': 'server: [unclosed' }))[0] ?? '', /invalid YAML/);
    assert.match(errors(load({ 'llmux.json': '{"server": }' }))[0] ?? '', /llmux\.json:1:\d+: invalid JSON/);
  });

  test('CLI flags beat the environment, which beats the file', () => {
    const files = { 'llmux.yaml': 'server: { host: 10.0.0.1, port: 1000 }\nlogging: { level: warn }\nauth: { api_keys: [{ key: file-key }] }' };
    const fromFile = ok(load(files));
    assert.equal(fromFile.server.port, 1000);
    const fromEnv = ok(load(files, { LLMUX_PORT: '2000', LLMUX_HOST: '0.0.0.0', LLMUX_LOG_LEVEL: 'debug', LLMUX_API_KEYS: 'e1, e2' }));
    assert.deepEqual([fromEnv.server.host, fromEnv.server.port, fromEnv.logging.level], ['0.0.0.0', 2000, 'debug']);
    assert.deepEqual(fromEnv.auth.api_keys.map((k) => k.key), ['e1', 'e2']);
    const fromCli = ok(load(files, { LLMUX_PORT: '2000' }, { apiKeys: ['c1'], port: 3000, host: '127.0.0.2', logLevel: 'error' }));
    assert.deepEqual([fromCli.server.host, fromCli.server.port, fromCli.logging.level], ['127.0.0.2', 3000, 'error']);
    assert.deepEqual(fromCli.auth.api_keys.map((k) => k.key), ['c1']);
  });

  test('zero-config builds providers from the usual environment variables', () => {
    const c = ok(load({}, { OPENAI_API_KEY: 'sk-o', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', CLAUDE_API_KEY: 'sk-a', GOOGLE_API_KEY: 'g', DEEPSEEK_API_KEY: 'd', DASHSCOPE_API_KEY: 'q' }));
    assert.deepEqual(
      c.providers.map((p) => [p.name, p.type, p.base_url]),
      [
        ['openai', 'openai', 'http://127.0.0.1:1/v1'],
        ['anthropic', 'anthropic', 'https://api.anthropic.com'],
        ['gemini', 'gemini', 'https://generativelanguage.googleapis.com'],
        ['dashscope', 'openai', 'https://dashscope.aliyuncs.com/compatible-mode/v1'],
        ['deepseek', 'openai', 'https://api.deepseek.com/v1'],
      ],
    );
  });

  test('zero-config with nothing set is a valid, empty gateway', () => {
    assert.deepEqual(ok(load({}, {})).providers, []);
  });
});

describe('parseCli', () => {
  test('serve is the default command; flags are typed', () => {
    const r = parseCli(['--config', 'x.yaml', '--port', '9000', '--api-key', 'a', '--api-key', 'b', '--log-level', 'debug']);
    assert.ok(r.ok);
    assert.deepEqual(r.args, { command: 'serve', config: 'x.yaml', port: 9000, apiKeys: ['a', 'b'], logLevel: 'debug' });
  });
  test('check and models take --config', () => {
    const r = parseCli(['check', '--config', 'y.json']);
    assert.ok(r.ok);
    assert.equal(r.args.command, 'check');
  });
  test('unknown flags and bad ports are errors', () => {
    assert.equal(parseCli(['--prot', '1']).ok, false);
    assert.equal(parseCli(['--port', 'abc']).ok, false);
    assert.equal(parseCli(['frobnicate']).ok, false);
  });
});
