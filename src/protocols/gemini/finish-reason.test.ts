import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FinishReason } from '../../core/chat.ts';
import { GEMINI_TO_CANONICAL_FINISH, mapGeminiFinishReasonFromCanonical, mapGeminiFinishReasonToCanonical } from './finish-reason.ts';

describe('mapGeminiFinishReasonToCanonical', () => {
  const cases: Array<[unknown, boolean, FinishReason]> = [
    ['STOP', false, 'stop'],
    ['MAX_TOKENS', false, 'length'],
    ['SAFETY', false, 'content-filter'],
    ['RECITATION', false, 'content-filter'],
    ['BLOCKLIST', false, 'content-filter'],
    ['PROHIBITED_CONTENT', false, 'content-filter'],
    ['SPII', false, 'content-filter'],
    ['IMAGE_SAFETY', false, 'content-filter'],
    ['LANGUAGE', false, 'content-filter'],
    ['MALFORMED_FUNCTION_CALL', false, 'error'],
    ['OTHER', false, 'stop'],
    ['FINISH_REASON_UNSPECIFIED', false, 'stop'],
    ['SOMETHING_NEW', false, 'stop'],
    [undefined, false, 'stop'],
    ['STOP', true, 'tool-calls'],
    ['MAX_TOKENS', true, 'tool-calls'],
  ];
  for (const [reason, calls, expected] of cases) {
    test(`maps ${String(reason)}${calls ? ' with function calls' : ''} to ${expected}`, () => {
      assert.equal(mapGeminiFinishReasonToCanonical(reason, calls), expected);
    });
  }

  test('maps every known Gemini value', () => {
    for (const value of Object.values(GEMINI_TO_CANONICAL_FINISH)) assert.ok(typeof value === 'string');
    assert.equal(Object.keys(GEMINI_TO_CANONICAL_FINISH).length, 20);
  });
});

describe('mapGeminiFinishReasonFromCanonical', () => {
  const cases: Array<[FinishReason, string]> = [
    ['stop', 'STOP'],
    ['length', 'MAX_TOKENS'],
    ['tool-calls', 'STOP'],
    ['content-filter', 'SAFETY'],
    ['error', 'OTHER'],
    ['other', 'OTHER'],
  ];
  for (const [reason, expected] of cases) test(`maps ${reason} to ${expected}`, () => assert.equal(mapGeminiFinishReasonFromCanonical(reason), expected));
});
