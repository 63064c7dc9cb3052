import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Usage } from '../../core/chat.ts';
import { decodeAnthropicUsage, encodeAnthropicUsage } from './usage.ts';

describe('decodeAnthropicUsage', () => {
  const cases: Array<{ name: string; value: unknown; expected: Usage | undefined }> = [
    {
      name: 'counts cache reads and writes into prompt tokens (OpenAI meaning)',
      value: { input_tokens: 12, output_tokens: 42, cache_read_input_tokens: 1800, cache_creation_input_tokens: 248 },
      expected: { promptTokens: 2060, completionTokens: 42, cachedTokens: 1800, cacheCreationTokens: 248 },
    },
    { name: 'treats null cache counts as absent', value: { input_tokens: 5, output_tokens: 1, cache_read_input_tokens: null }, expected: { promptTokens: 5, completionTokens: 1 } },
    { name: 'reads thinking tokens as reasoning tokens', value: { input_tokens: 1, output_tokens: 9, output_tokens_details: { thinking_tokens: 7 } }, expected: { promptTokens: 1, completionTokens: 9, reasoningTokens: 7 } },
    { name: 'returns undefined for a value without counts', value: { service_tier: 'standard' }, expected: undefined },
    { name: 'returns undefined for a non-object', value: null, expected: undefined },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(decodeAnthropicUsage(c.value), c.expected);
    });
  }
});

describe('encodeAnthropicUsage', () => {
  test('subtracts cached and cache-creation tokens from input_tokens', () => {
    assert.deepEqual(encodeAnthropicUsage({ promptTokens: 2060, completionTokens: 42, cachedTokens: 1800, cacheCreationTokens: 248 }), {
      input_tokens: 12,
      output_tokens: 42,
      cache_creation_input_tokens: 248,
      cache_read_input_tokens: 1800,
    });
  });

  test('never writes a negative input count', () => {
    assert.equal(encodeAnthropicUsage({ promptTokens: 5, completionTokens: 0, cachedTokens: 9 }).input_tokens, 0);
  });

  test('writes zeros when usage is unknown', () => {
    assert.deepEqual(encodeAnthropicUsage(undefined), { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });
});
