import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { estimateGeminiInputTokens, IMAGE_TOKENS } from './count-tokens.ts';

describe('estimateGeminiInputTokens', () => {
  const cases: Array<{ name: string; body: unknown; expected: number }> = [
    { name: 'counts Latin text at four characters per token', body: { contents: [{ parts: [{ text: 'abcdefgh' }] }] }, expected: 2 },
    { name: 'rounds up', body: { contents: [{ parts: [{ text: 'abcde' }] }] }, expected: 2 },
    { name: 'counts one token per CJK character', body: { contents: [{ parts: [{ text: '你好世界' }] }] }, expected: 4 },
    { name: 'mixes CJK and Latin text', body: { contents: [{ parts: [{ text: 'こんにちは abcd' }] }] }, expected: 5 + 2 },
    {
      name: 'counts the system instruction, function calls and responses',
      body: {
        systemInstruction: { parts: [{ text: 'abcd' }] },
        contents: [
          { role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'f', response: {} } }] },
        ],
      },
      // "abcd" + '{"name":"f","args":{}}' (22) + '{"name":"f","response":{}}' (26) = 52 characters.
      expected: 13,
    },
    { name: 'charges a fixed amount per image', body: { contents: [{ parts: [{ inlineData: { mimeType: 'image/png', data: 'xx' } }] }] }, expected: IMAGE_TOKENS },
    {
      name: 'reads the generateContentRequest form with tools',
      body: { generateContentRequest: { model: 'models/x', contents: [{ parts: [{ text: 'abcd' }] }], tools: [{ functionDeclarations: [] }] } },
      // "abcd" + '[{"functionDeclarations":[]}]' (29) = 33 characters.
      expected: 9,
    },
    { name: 'counts nothing in an empty or foreign body', body: 'x', expected: 0 },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(estimateGeminiInputTokens(c.body), { totalTokens: c.expected }));
});
