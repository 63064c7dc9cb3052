import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FinishReason } from '../../core/chat.ts';
import { mapOpenAIFinishReasonFromCanonical, mapOpenAIFinishReasonToCanonical } from './finish-reason.ts';
import { decodeOpenAIUsage, encodeOpenAIUsage } from './usage.ts';

describe('mapOpenAIFinishReasonToCanonical', () => {
  const cases: Array<[unknown, FinishReason]> = [
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool-calls'],
    ['function_call', 'tool-calls'],
    ['content_filter', 'content-filter'],
    ['insufficient_system_resource', 'error'],
    ['eos', 'other'],
    [null, 'other'],
  ];
  for (const [reason, expected] of cases) {
    test(`maps ${String(reason)} to ${expected}`, () => assert.equal(mapOpenAIFinishReasonToCanonical(reason, false), expected));
  }
  test('reports tool-calls for an answer with calls whatever the upstream said', () => {
    assert.equal(mapOpenAIFinishReasonToCanonical('stop', true), 'tool-calls');
  });
});

describe('mapOpenAIFinishReasonFromCanonical', () => {
  const cases: Array<[FinishReason, string]> = [
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool-calls', 'tool_calls'],
    ['content-filter', 'content_filter'],
    ['error', 'stop'],
    ['other', 'stop'],
  ];
  for (const [reason, expected] of cases) {
    test(`maps ${reason} to ${expected}`, () => assert.equal(mapOpenAIFinishReasonFromCanonical(reason, false), expected));
  }
  test('reports tool_calls for an answer with calls', () => {
    assert.equal(mapOpenAIFinishReasonFromCanonical('stop', true), 'tool_calls');
  });
});

describe('OpenAI usage', () => {
  test('reads cached and reasoning tokens', () => {
    assert.deepEqual(
      decodeOpenAIUsage({
        prompt_tokens: 100,
        completion_tokens: 20,
        total_tokens: 120,
        prompt_tokens_details: { cached_tokens: 80, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 12 },
      }),
      { promptTokens: 100, completionTokens: 20, cachedTokens: 80, reasoningTokens: 12 },
    );
  });
  test('ignores null and non-usage values', () => {
    assert.equal(decodeOpenAIUsage(null), undefined);
    assert.equal(decodeOpenAIUsage({ total_tokens: 3 }), undefined);
  });
  test('writes total_tokens and leaves out details that are unknown', () => {
    assert.deepEqual(encodeOpenAIUsage({ promptTokens: 7, completionTokens: 3 }), { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
  });
  test('keeps cache creation tokens inside prompt_tokens only', () => {
    assert.deepEqual(encodeOpenAIUsage({ promptTokens: 50, completionTokens: 1, cachedTokens: 30, cacheCreationTokens: 15 }), {
      prompt_tokens: 50,
      completion_tokens: 1,
      total_tokens: 51,
      prompt_tokens_details: { cached_tokens: 30 },
    });
  });
});
