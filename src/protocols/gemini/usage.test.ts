import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Usage } from '../../core/chat.ts';
import { decodeGeminiUsage, encodeGeminiUsage } from './usage.ts';

describe('decodeGeminiUsage', () => {
  const cases: Array<{ name: string; value: unknown; expected: Usage | undefined }> = [
    {
      name: 'adds thinking tokens to completion tokens and keeps cached and reasoning counts',
      value: { promptTokenCount: 2061, candidatesTokenCount: 10, thoughtsTokenCount: 40, cachedContentTokenCount: 2048, totalTokenCount: 2111 },
      expected: { promptTokens: 2061, completionTokens: 50, cachedTokens: 2048, reasoningTokens: 40 },
    },
    { name: 'reads a running count with only the prompt', value: { promptTokenCount: 9, totalTokenCount: 9 }, expected: { promptTokens: 9, completionTokens: 0 } },
    { name: 'reads snake_case names', value: { prompt_token_count: 1, candidates_token_count: 2 }, expected: { promptTokens: 1, completionTokens: 2 } },
    { name: 'ignores a value without counts', value: { totalTokenCount: 3 }, expected: undefined },
    { name: 'ignores a non-object', value: null, expected: undefined },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(decodeGeminiUsage(c.value), c.expected));
});

describe('encodeGeminiUsage', () => {
  const cases: Array<{ name: string; usage: Usage; expected: unknown }> = [
    {
      name: 'moves reasoning tokens out of the candidates count',
      usage: { promptTokens: 100, completionTokens: 30, reasoningTokens: 20, cachedTokens: 50, cacheCreationTokens: 10 },
      expected: { promptTokenCount: 100, candidatesTokenCount: 10, totalTokenCount: 130, cachedContentTokenCount: 50, thoughtsTokenCount: 20 },
    },
    { name: 'writes plain counts', usage: { promptTokens: 5, completionTokens: 7 }, expected: { promptTokenCount: 5, candidatesTokenCount: 7, totalTokenCount: 12 } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(encodeGeminiUsage(c.usage), c.expected));

  test('round-trips through decode', () => {
    const usage: Usage = { promptTokens: 10, completionTokens: 8, cachedTokens: 3, reasoningTokens: 5 };
    assert.deepEqual(decodeGeminiUsage(encodeGeminiUsage(usage)), usage);
  });
});
