import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FinishReason } from '../../core/chat.ts';
import { mapAnthropicStopReasonFromCanonical, mapAnthropicStopReasonToCanonical } from './finish-reason.ts';

describe('mapAnthropicStopReasonToCanonical', () => {
  const cases: Array<[unknown, boolean, FinishReason]> = [
    ['end_turn', false, 'stop'],
    ['stop_sequence', false, 'stop'],
    ['max_tokens', false, 'length'],
    ['model_context_window_exceeded', false, 'length'],
    ['tool_use', false, 'tool-calls'],
    ['refusal', false, 'content-filter'],
    ['pause_turn', false, 'other'],
    ['something_new', false, 'other'],
    [null, false, 'other'],
    ['end_turn', true, 'tool-calls'],
    ['max_tokens', true, 'length'],
  ];
  for (const [reason, hasToolCalls, expected] of cases) {
    test(`maps ${String(reason)}${hasToolCalls ? ' with tool calls' : ''} to ${expected}`, () => {
      assert.equal(mapAnthropicStopReasonToCanonical(reason, hasToolCalls), expected);
    });
  }
});

describe('mapAnthropicStopReasonFromCanonical', () => {
  const cases: Array<[FinishReason, { hasToolCalls: boolean; stopSequence?: string }, string]> = [
    ['stop', { hasToolCalls: false }, 'end_turn'],
    ['stop', { hasToolCalls: false, stopSequence: 'END' }, 'stop_sequence'],
    ['length', { hasToolCalls: false }, 'max_tokens'],
    ['tool-calls', { hasToolCalls: true }, 'tool_use'],
    ['content-filter', { hasToolCalls: false }, 'refusal'],
    ['error', { hasToolCalls: false }, 'end_turn'],
    ['other', { hasToolCalls: false }, 'end_turn'],
    ['stop', { hasToolCalls: true }, 'tool_use'],
    ['length', { hasToolCalls: true }, 'max_tokens'],
  ];
  for (const [reason, opts, expected] of cases) {
    test(`maps ${reason}${opts.hasToolCalls ? ' with tool calls' : ''}${opts.stopSequence === undefined ? '' : ' and a stop string'} to ${expected}`, () => {
      assert.equal(mapAnthropicStopReasonFromCanonical(reason, opts), expected);
    });
  }
});
