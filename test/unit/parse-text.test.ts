import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse as parseJsonc } from 'jsonc-parser';
import { parseConfigText } from '../../src/config/parse-text.ts';

describe('parseConfigText: JSON files', () => {
  // Plain JSON takes the engine's parser; what it reads must be what the JSONC parser reads.
  const plain = [
    '{}',
    'null',
    '{"providers":[{"name":"a","models":["gpt-4o*","m1"],"weight":2}],"routing":{"aliases":{"x":"a/m1"}}}',
    '{"s":"caf\\u00e9 \\"quoted\\" \\n","n":-1.5e3,"b":true,"z":null,"deep":{"a":{"b":{"c":[1,[2,[3]]]}}}}',
    '{"dup":1,"dup":2}',
    '\n  {\n  "spaced" : [ 1 , 2 ]\n}\n',
  ];
  for (const text of plain) {
    test(`reads ${JSON.stringify(text).slice(0, 60)} as the JSONC parser does`, () => {
      assert.deepEqual(parseConfigText(text, 'llmux.json'), { ok: true, value: parseJsonc(text) ?? {} });
    });
  }

  test('comments and trailing commas are still read (JSONC)', () => {
    const r = parseConfigText('{\n  // providers\n  "providers": [{"name": "a",},],\n  /* x */ "server": {"port": 9000,},\n}', 'config.json');
    assert.deepEqual(r, { ok: true, value: { providers: [{ name: 'a' }], server: { port: 9000 } } });
  });

  test('invalid JSON is reported with its line and column', () => {
    const r = parseConfigText('{\n  "a": 1,\n  "b": ]\n}', 'llmux.json');
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : (r.errors[0] ?? ''), /^llmux\.json:3:8: invalid JSON/);
  });

  test('a "__proto__" key is an own property, never the prototype', () => {
    const r = parseConfigText('{"server":{"__proto__":{"port":1}}}', 'llmux.json');
    assert.ok(r.ok);
    const server = (r.value as { server: Record<string, unknown> }).server;
    assert.ok(Object.hasOwn(server, '__proto__'));
    assert.equal(Object.getPrototypeOf(server), Object.prototype);
  });
});
