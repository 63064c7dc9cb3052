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
});
