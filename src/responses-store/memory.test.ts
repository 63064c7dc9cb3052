import assert from 'node:assert/strict';
import { test } from 'node:test';
import { historyOf, HISTORY_LIMITS } from './history.ts';
import { MemoryResponseStore } from './memory.ts';
import type { StoredResponse } from './store.ts';

const record = (id: string, owner: string, parentId?: string, text = id): StoredResponse => ({
  id,
  owner,
  ...(parentId === undefined ? {} : { parentId }),
  input: [{ id: `in_${id}`, type: 'message', role: 'user', content: [{ type: 'input_text', text }] }],
  response: { id, object: 'response', output: [{ id: `out_${id}`, type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: `re ${text}` }] }] },
});

test('memory store: owner-only, TTL, least recently used dropped first, items indexed', async () => {
  let now = 0;
  const store = new MemoryResponseStore(1000, 2, 1024 * 1024, 'sig', () => now);
  await store.put(record('a', 'team'));
  await store.put(record('b', 'team'));
  assert.equal(await store.get('a', 'other'), undefined, 'another key sees nothing');
  assert.equal((await store.get('a', 'team'))?.id, 'a');
  // "a" was just used, so "b" is the one dropped for "c".
  await store.put(record('c', 'team'));
  assert.equal(await store.get('b', 'team'), undefined);
  assert.equal((await store.item('out_a', 'team'))?.['type'], 'message', 'an output item, found by its id');
  assert.equal((await store.item('in_a', 'team'))?.['role'], 'user', 'an input item, found by its id');
  assert.equal(await store.item('in_b', 'team'), undefined, 'items of a dropped response go with it');
  assert.equal(await store.item('out_a', 'other'), undefined);
  now = 1000;
  assert.equal(await store.get('a', 'team'), undefined, 'expired');
  assert.equal(await store.delete('c', 'other'), false);
  now = 500;
  await store.put(record('d', 'team'));
  assert.equal(await store.delete('d', 'team'), true);
  assert.equal(await store.get('d', 'team'), undefined);
});

test('history: a chain rebuilt oldest first, without ids; unknown or foreign ids are previous_response_not_found', async () => {
  const store = new MemoryResponseStore(60_000, 100, 1024 * 1024, 'sig');
  await store.put(record('r1', 'team', undefined, 'one'));
  await store.put(record('r2', 'team', 'r1', 'two'));
  await store.put(record('r3', 'team', 'r2', 'three'));
  const items = await historyOf(store, 'r3', 'team');
  assert.deepEqual(items.map((i) => JSON.stringify(i['content'])).map((c) => /"text":"([^"]+)"/.exec(c)?.[1]), ['one', 're one', 'two', 're two', 'three', 're three']);
  assert.ok(items.every((i) => i['id'] === undefined && i['status'] === undefined));
  for (const [id, owner] of [['nope', 'team'], ['r3', 'other']] as const) {
    await assert.rejects(historyOf(store, id, owner), (error: unknown) => (error as { apiCode?: string; status?: number }).apiCode === 'previous_response_not_found' && (error as { status: number }).status === 404);
  }
  // A chain longer than the cap is refused, not rebuilt.
  const deep = new MemoryResponseStore(60_000, HISTORY_LIMITS.depth + 10, 16 * 1024 * 1024, 'sig');
  for (let i = 0; i <= HISTORY_LIMITS.depth + 1; i++) await deep.put(record(`d${i}`, 'team', i === 0 ? undefined : `d${i - 1}`));
  await assert.rejects(historyOf(deep, `d${HISTORY_LIMITS.depth + 1}`, 'team'), /longer than llmux rebuilds/);
});

test('memory store: the byte budget drops the least recently used; a response larger than it is not kept', async () => {
  const size = JSON.stringify(record('a', 'team')).length;
  const store = new MemoryResponseStore(60_000, 100, size * 2 + 10, 'sig');
  await store.put(record('a', 'team'));
  await store.put(record('b', 'team'));
  await store.get('a', 'team');
  await store.put(record('c', 'team'));
  assert.deepEqual([await store.get('a', 'team'), await store.get('b', 'team'), await store.get('c', 'team')].map((r) => r?.id), ['a', undefined, 'c']);
  await store.put(record('huge', 'team', undefined, 'x'.repeat(size * 3)));
  assert.equal(await store.get('huge', 'team'), undefined);
  assert.equal((await store.get('c', 'team'))?.id, 'c', 'nothing was evicted for it');
});
