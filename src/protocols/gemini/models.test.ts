import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeGeminiModelList, encodeGeminiModel, encodeGeminiModelList } from './models.ts';

describe('decodeGeminiModelList', () => {
  const cases: Array<{ name: string; body: unknown; expected: string[] }> = [
    {
      name: 'strips the models/ prefix',
      body: { models: [{ name: 'models/gemini-2.5-flash', displayName: 'Gemini 2.5 Flash' }, { name: 'models/gemini-embedding-001' }], nextPageToken: 'x' },
      expected: ['gemini-2.5-flash', 'gemini-embedding-001'],
    },
    { name: 'skips entries without a name', body: { models: [{}, null, { name: '' }, { name: 'tuned' }] }, expected: ['tuned'] },
    { name: 'reads anything else as an empty list', body: 'nope', expected: [] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(decodeGeminiModelList(c.body), c.expected));
});

describe('encodeGeminiModelList', () => {
  test('lists each id as models/<id> with the methods llmux serves', () => {
    assert.deepEqual(encodeGeminiModelList(['gpt-4o', 'anthropic/claude-sonnet-4']), {
      models: [
        { name: 'models/gpt-4o', displayName: 'gpt-4o', supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'] },
        {
          name: 'models/anthropic/claude-sonnet-4',
          displayName: 'anthropic/claude-sonnet-4',
          supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
        },
      ],
    });
  });

  test('round-trips through the decoder', () => {
    assert.deepEqual(decodeGeminiModelList(encodeGeminiModelList(['a', 'b'])), ['a', 'b']);
    assert.equal(encodeGeminiModel('a').name, 'models/a');
  });
});
