import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ANTHROPIC_TOKEN_ESTIMATE, estimateAnthropicInputTokens, estimateTextTokens } from './count-tokens.ts';

describe('estimateTextTokens', () => {
  const cases: Array<[string, string, number]> = [
    ['counts about 3.5 Latin characters per token', 'abcdefg', 2],
    ['counts one token per CJK character', '你好世界', 4],
    ['counts kana and Hangul as CJK', 'こんにちは안녕', 7],
    ['mixes both', '東京 is big', 2 + 7 / 3.5],
    ['counts nothing for an empty string', '', 0],
  ];
  for (const [name, text, expected] of cases) {
    test(name, () => {
      assert.equal(estimateTextTokens(text), expected);
    });
  }
});

describe('estimateAnthropicInputTokens', () => {
  const m = ANTHROPIC_TOKEN_ESTIMATE.messageOverhead;
  const cases: Array<{ name: string; body: unknown; expected: number }> = [
    { name: 'returns 0 for a body that is not an object', body: 'hello', expected: 0 },
    { name: 'counts a plain string message with its overhead', body: { messages: [{ role: 'user', content: 'x'.repeat(35) }] }, expected: 10 + m },
    { name: 'counts a system string', body: { system: 'y'.repeat(70), messages: [] }, expected: 20 },
    { name: 'counts system text blocks', body: { system: [{ type: 'text', text: 'y'.repeat(35) }, { type: 'text', text: '你好' }], messages: [] }, expected: 12 },
    { name: 'counts an image at a flat 1600', body: { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(100000) } }] }] }, expected: 1600 + m },
    {
      name: 'counts tool_use input and tool_result content',
      body: {
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'abcdefg', input: { a: 1 } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'z'.repeat(14) }, { type: 'image', source: { type: 'url', url: 'https://x' } }] }] },
        ],
      },
      // "abcdefg" 2 + '{"a":1}' 2, then 4 + 1600
      expected: Math.ceil(2 + 2 + 4 + 1600 + 2 * m),
    },
    {
      name: 'counts tools: names, descriptions, schemas, and the tool-use system prompt',
      body: { tools: [{ name: 'abcdefg', description: 'x'.repeat(35), input_schema: { type: 'object' } }], messages: [] },
      // '{"type":"object"}' is 17 characters
      expected: Math.ceil(ANTHROPIC_TOKEN_ESTIMATE.toolSystemPrompt + ANTHROPIC_TOKEN_ESTIMATE.toolOverhead + 2 + 10 + 17 / 3.5),
    },
    { name: 'does not count thinking blocks of earlier turns', body: { messages: [{ role: 'assistant', content: [{ type: 'thinking', thinking: 'x'.repeat(700), signature: 's' }] }] }, expected: m },
    { name: 'tolerates malformed entries', body: { messages: [null, 5, { role: 'user', content: 7 }], tools: 'no' }, expected: m },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(estimateAnthropicInputTokens(c.body), c.expected);
    });
  }

  test('grows with the conversation and counts the system prompt and tools (not only messages)', () => {
    const messagesOnly = estimateAnthropicInputTokens({ messages: [{ role: 'user', content: 'Hello' }] });
    const full = estimateAnthropicInputTokens({
      system: 'You are Claude Code.',
      tools: [{ name: 'Read', description: 'Reads a file', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }],
      messages: [{ role: 'user', content: 'Hello' }],
    });
    assert.ok(full > messagesOnly + ANTHROPIC_TOKEN_ESTIMATE.toolSystemPrompt);
  });
});
