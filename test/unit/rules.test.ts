import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyRuleToBody, compileRules } from '../../src/router/rules.ts';

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
