import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { decodeAnthropicModelList } from './models.ts';

describe('decodeAnthropicModelList', () => {
  test('reads the ids of a model list page', () => {
    const body: unknown = JSON.parse(readFileSync(new URL('../../../test/fixtures/anthropic/models-list.json', import.meta.url), 'utf8'));
    assert.deepEqual(decodeAnthropicModelList(body), ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001']);
  });

  const cases: Array<[string, unknown]> = [
    ['null', null],
    ['a body without data', { models: [] }],
    ['data that is not an array', { data: {} }],
  ];
  for (const [name, body] of cases) {
    test(`returns no ids for ${name}`, () => {
      assert.deepEqual(decodeAnthropicModelList(body), []);
    });
  }

  test('skips entries without a string id', () => {
    assert.deepEqual(decodeAnthropicModelList({ data: [{ id: 'a' }, { id: 3 }, null, { id: '' }, { id: 'b' }] }), ['a', 'b']);
  });
});
