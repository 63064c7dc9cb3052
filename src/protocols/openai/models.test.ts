import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeOpenAIModelList, encodeOpenAIModel, encodeOpenAIModelList } from './models.ts';

describe('encodeOpenAIModelList', () => {
  test('writes an OpenAI list object', () => {
    assert.deepEqual(
      encodeOpenAIModelList([
        { id: 'gpt-4o', ownedBy: 'openai', created: 1764000000 },
        { id: 'fast', ownedBy: 'llmux', created: 1764000000 },
      ]),
      {
        object: 'list',
        data: [
          { id: 'gpt-4o', object: 'model', created: 1764000000, owned_by: 'openai' },
          { id: 'fast', object: 'model', created: 1764000000, owned_by: 'llmux' },
        ],
      },
    );
  });

  test('writes one model object', () => {
    assert.deepEqual(encodeOpenAIModel({ id: 'claude-sonnet-4-5', ownedBy: 'anthropic', created: 1 }), {
      id: 'claude-sonnet-4-5',
      object: 'model',
      created: 1,
      owned_by: 'anthropic',
    });
  });
});

describe('decodeOpenAIModelList', () => {
  const cases: Array<[string, unknown, string[]]> = [
    ['reads ids from data', { object: 'list', data: [{ id: 'a', object: 'model' }, { id: 'b' }] }, ['a', 'b']],
    ['skips entries without an id and drops duplicates', { data: [{ id: 'a' }, { name: 'x' }, null, { id: '' }, { id: 'a' }] }, ['a']],
    ['accepts a bare array', [{ id: 'a' }, 'b'], ['a', 'b']],
    ['returns nothing for another shape', { models: [{ name: 'models/gemini' }] }, []],
    ['returns nothing for text', 'Not Found', []],
  ];
  for (const [name, body, ids] of cases) test(name, () => assert.deepEqual(decodeOpenAIModelList(body), ids));
});
