import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { replaceUnsignedThinking } from './unsigned-thinking.ts';

describe('replaceUnsignedThinking', () => {
  test('turns a thinking block with an empty signature into text and keeps signed ones', () => {
    const body = {
      model: 'claude',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'from gemini', signature: '' }, { type: 'thinking', thinking: 'mine', signature: 'sig' }, { type: 'text', text: 'answer' }] },
      ],
    };
    assert.deepEqual(replaceUnsignedThinking(body).messages, [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'text', text: 'from gemini' }, { type: 'thinking', thinking: 'mine', signature: 'sig' }, { type: 'text', text: 'answer' }] },
    ]);
  });

  test('returns the very same body when nothing needs rewriting', () => {
    const body = { messages: [{ role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: 's' }] }] };
    assert.equal(replaceUnsignedThinking(body), body);
  });

  test('drops an empty unsigned thinking block instead of sending empty text', () => {
    const body = { messages: [{ role: 'assistant', content: [{ type: 'thinking', thinking: '', signature: '' }, { type: 'text', text: 'a' }] }] };
    assert.deepEqual((replaceUnsignedThinking(body).messages as Array<{ content: unknown }>)[0]?.content, [{ type: 'text', text: 'a' }]);
  });
});
