import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyRuleToBody, compileRules, MAX_REMEMBERED } from '../../src/router/rules.ts';

describe('compileRules', () => {
  const rules = compileRules([
    { match_model: 'gpt-3.5-turbo', unset: ['presence_penalty'], set: { model: 'qwen2.5-72b-instruct', temperature: 0.7, presence_penalty: 1 }, extra: { generation_params: { top_p: 0.9 } } },
    { match_model: 'claude-*', set: { max_tokens: 1000 } },
    { match_model: 'default', set: { temperature: 0.2 } },
    { match_model: 'qwen*', match_provider: 'dashscope', set: { model: 'qwen-max' }, extra: { enable_search: true } },
    { match_model: 'default', match_provider: 'dashscope', unset: ['user'] },
  ]);

  test('first matching rule wins, exact before the default rule', () => {
    assert.equal(rules.beforeRouting('gpt-3.5-turbo')?.model, 'qwen2.5-72b-instruct');
    assert.deepEqual(rules.beforeRouting('claude-3-opus')?.set, { max_tokens: 1000 });
  });

  test('the default rule applies when no other rule of its phase matched', () => {
    assert.deepEqual(rules.beforeRouting('llama3')?.set, { temperature: 0.2 });
  });

  test('provider rules match only their provider, with their own default', () => {
    assert.equal(rules.forProvider('dashscope', 'qwen-turbo', 'qwen-turbo')?.model, 'qwen-max');
    assert.deepEqual(rules.forProvider('dashscope', 'deepseek', 'deepseek')?.unset, ['user']);
    assert.equal(rules.forProvider('openai', 'qwen-turbo', 'qwen-turbo'), undefined);
  });

  test('applies unset, then set, then extra deep-merged', () => {
    const rule = rules.beforeRouting('gpt-3.5-turbo');
    assert.ok(rule);
    const body: Record<string, unknown> = { model: 'gpt-3.5-turbo', presence_penalty: 0.5, generation_params: { top_k: 3 } };
    applyRuleToBody(rule, body);
    // set runs after unset, so a key both unset and set ends with the set value
    assert.deepEqual(body, { model: 'gpt-3.5-turbo', presence_penalty: 1, temperature: 0.7, generation_params: { top_k: 3, top_p: 0.9 } });
  });

  test('rule values are copied, never shared between requests', () => {
    const rule = rules.beforeRouting('gpt-3.5-turbo');
    assert.ok(rule);
    const a: Record<string, unknown> = {};
    applyRuleToBody(rule, a);
    (a['generation_params'] as Record<string, unknown>)['top_p'] = 0;
    const b: Record<string, unknown> = {};
    applyRuleToBody(rule, b);
    assert.deepEqual(b['generation_params'], { top_p: 0.9 });
  });

  test('unset takes dotted paths into nested objects', () => {
    const cases: Array<{ unset: string[]; body: Record<string, unknown>; expected: Record<string, unknown> }> = [
      { unset: ['generationConfig.topK'], body: { generationConfig: { topK: 64, temperature: 0 } }, expected: { generationConfig: { temperature: 0 } } },
      { unset: ['a.b.c'], body: { a: { b: { c: 1, d: 2 } } }, expected: { a: { b: { d: 2 } } } },
      // a path through a non-object, or to nothing, changes nothing
      { unset: ['generationConfig.topK', 'x.y'], body: { generationConfig: 'odd', x: [1] }, expected: { generationConfig: 'odd', x: [1] } },
      { unset: ['missing.key'], body: { k: 1 }, expected: { k: 1 } },
      // a top-level key spelled with a dot is taken whole
      { unset: ['odd.key'], body: { 'odd.key': 1, odd: { key: 2 } }, expected: { odd: { key: 2 } } },
      { unset: ['top_k'], body: { top_k: 3, temperature: 1 }, expected: { temperature: 1 } },
    ];
    for (const c of cases) {
      const rule = compileRules([{ match_model: 'default', unset: c.unset }]).beforeRouting('m');
      assert.ok(rule);
      applyRuleToBody(rule, c.body);
      assert.deepEqual(c.body, c.expected, c.unset.join(','));
    }
  });
});

describe('compileRules with many rules (the first match is remembered per model name)', () => {
  const many = compileRules([
    ...Array.from({ length: 200 }, (_, r) => ({ match_model: `m${r}-*`, set: { n: r } })),
    { match_model: 'default', set: { n: -1 } },
  ]);

  test('the same name asked again gets the same rule, and other names their own', () => {
    for (let round = 0; round < 3; round++) {
      assert.deepEqual(many.beforeRouting('m7-x')?.set, { n: 7 });
      assert.deepEqual(many.beforeRouting('m199-y')?.set, { n: 199 });
      assert.deepEqual(many.beforeRouting('other')?.set, { n: -1 });
    }
  });

  test('past the remembered bound, names still get the rule that matches them', () => {
    for (let i = 0; i < MAX_REMEMBERED + 50; i++) assert.equal(many.beforeRouting(`unknown-${i}`)?.set['n'], -1);
    assert.deepEqual(many.beforeRouting('m3-z')?.set, { n: 3 });
    assert.deepEqual(many.beforeRouting('unknown-0')?.set, { n: -1 });
  });

  test('without a default rule, a name no rule matches gets none, every time', () => {
    const noDefault = compileRules([{ match_model: 'a*', set: { x: 1 } }]);
    assert.equal(noDefault.beforeRouting('b'), undefined);
    assert.equal(noDefault.beforeRouting('b'), undefined);
    assert.deepEqual(noDefault.beforeRouting('ab')?.set, { x: 1 });
  });

  test('provider rules: first match in order within the provider, its default otherwise', () => {
    const scoped = compileRules([
      { match_model: 'default', match_provider: 'p1', set: { d: 1 } },
      { match_model: 'x*', match_provider: 'p2', set: { v: 2 } },
      { match_model: 'x*', match_provider: 'p1', set: { v: 1 } },
      { match_model: 'x1', match_provider: 'p1', set: { v: 11 } },
    ]);
    assert.deepEqual(scoped.forProvider('p1', 'x1', 'x1')?.set, { v: 1 });
    assert.deepEqual(scoped.forProvider('p1', 'y', 'y')?.set, { d: 1 });
    assert.deepEqual(scoped.forProvider('p2', 'pub', 'x9')?.set, { v: 2 });
    assert.equal(scoped.forProvider('p3', 'x1', 'x1'), undefined);
  });
});

test('a very long model name gets its rule without being remembered', () => {
  const rules = compileRules([{ match_model: 'x*', set: { v: 1 } }, { match_model: 'default', set: { v: 0 } }]);
  const long = `x${'y'.repeat(10_000)}`;
  assert.deepEqual(rules.beforeRouting(long)?.set, { v: 1 });
  assert.deepEqual(rules.beforeRouting(long)?.set, { v: 1 });
  assert.deepEqual(rules.beforeRouting(`z${'y'.repeat(10_000)}`)?.set, { v: 0 });
});
