import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createKeyStore, keyAllowsModel } from '../../src/auth/keys.ts';
import { compileGlob, matchesAny } from '../../src/router/glob.ts';

describe('compileGlob', () => {
  // [glob, name, matches]
  const cases: Array<[string, string, boolean]> = [
    ['gpt-4o', 'gpt-4o', true],
    ['gpt-4o', 'gpt-4o-mini', false],
    ['*', 'anything', true],
    ['*', '', true],
    ['gpt-4o*', 'gpt-4o', true],
    ['gpt-4o*', 'gpt-4o-mini', true],
    ['gpt-4o*', 'gpt-4', false],
    ['gpt-4o*', 'my-gpt-4o', false],
    ['*-mini', 'gpt-4o-mini', true],
    ['*-mini', '-mini', true],
    ['*-mini', 'gpt-4o-mini-2024', false],
    ['gpt-4.1*', 'gpt-4.1-nano', true],
    ['gpt-4.1*', 'gpt-401', false],
    ['*.1', 'gpt-4.1', true],
    ['*.1', 'gpt-401', false],
    ['claude-*-opus', 'claude-3-opus', true],
    ['claude-*-opus', 'claude-3-sonnet', false],
    ['claude-?-opus', 'claude-3-opus', true],
    ['claude-?-opus', 'claude-35-opus', false],
    ['m?-*', 'm1-x', true],
    ['*mini*', 'o4-mini-high', true],
    ['*mini*', 'o4-max', false],
    ['a+b*', 'a+bc', true],
    ['a+b*', 'aab', false],
    ['(x)*', '(x)y', true],
  ];
  for (const [glob, name, expected] of cases) {
    test(`${JSON.stringify(glob)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(name)}`, () => {
      const g = compileGlob(glob);
      assert.equal(g.test(name), expected);
      assert.equal(g.isPattern, glob.includes('*') || glob.includes('?'));
      assert.equal(g.source, glob);
    });
  }

  test('matchesAny: any one glob of a list', () => {
    const list = ['gpt-4o*', '*-mini', 'o3'].map(compileGlob);
    assert.equal(matchesAny(list, 'gpt-4o-2024'), true);
    assert.equal(matchesAny(list, 'o4-mini'), true);
    assert.equal(matchesAny(list, 'o3'), true);
    assert.equal(matchesAny(list, 'o3-pro'), false);
  });
});

describe('key allow-lists over many keys', () => {
  const keys = Array.from({ length: 2000 }, (_, k) => ({ key: `sk-${k}`, name: `key-${k}`, models: [`m${k % 10}-*`, 'claude-*', `exact-${k}`] }));
  const store = createKeyStore(keys);

  test('each key allows its own globs and names, and not another key\'s', () => {
    for (const k of [0, 7, 1999]) {
      const key = store.lookup(`sk-${k}`);
      assert.equal(key?.name, `key-${k}`);
      assert.equal(keyAllowsModel(key, `m${k % 10}-large`), true);
      assert.equal(keyAllowsModel(key, `m${(k + 1) % 10}-large`), false);
      assert.equal(keyAllowsModel(key, 'claude-sonnet-4'), true);
      assert.equal(keyAllowsModel(key, `exact-${k}`), true);
      assert.equal(keyAllowsModel(key, `exact-${k + 1}`), false);
    }
  });

  test('keys sharing an allow-list share its compiled globs; lists that differ in any entry or order stay apart', () => {
    const shared = createKeyStore([
      { key: 'sk-a', models: ['gpt-*', 'claude-*'] },
      { key: 'sk-b', models: ['gpt-*', 'claude-*'] },
      { key: 'sk-c', models: ['claude-*', 'gpt-*'] },
      { key: 'sk-d', models: ['gpt-*\nclaude-*'] },
      { key: 'sk-e', models: [] },
    ]);
    const [a, b, c, d, e] = ['sk-a', 'sk-b', 'sk-c', 'sk-d', 'sk-e'].map((k) => shared.lookup(k));
    assert.equal(a?.models, b?.models);
    assert.notEqual(a?.models, c?.models);
    assert.deepEqual(c?.models?.map((g) => g.source), ['claude-*', 'gpt-*']);
    // A glob holding a newline is one glob, not the two lines it spells.
    assert.deepEqual(d?.models?.map((g) => g.source), ['gpt-*\nclaude-*']);
    assert.equal(keyAllowsModel(d, 'gpt-4o'), false);
    assert.equal(keyAllowsModel(a, 'gpt-4o'), true);
    // An empty allow-list admits nothing.
    assert.equal(keyAllowsModel(e, 'gpt-4o'), false);
  });

  test('a key without an allow-list allows every model; an unknown key is not found', () => {
    const open = createKeyStore([{ key: 'sk-open' }]);
    assert.equal(keyAllowsModel(open.lookup('sk-open'), 'whatever'), true);
    assert.equal(store.lookup('sk-unknown'), undefined);
  });
});
