import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBalancer } from '../../src/router/balancer.ts';

describe('createBalancer', () => {
  test('weights 5:1:1 give the smooth nginx sequence a a b a c a a, then repeat', () => {
    const b = createBalancer([5, 1, 1]);
    const names = ['a', 'b', 'c'];
    const seq = Array.from({ length: 14 }, () => names[b.pick() ?? -1]);
    assert.deepEqual(seq, ['a', 'a', 'b', 'a', 'c', 'a', 'a', 'a', 'a', 'b', 'a', 'c', 'a', 'a']);
  });

  test('weights 10:5 split 1,500 picks exactly 1,000 to 500 with no run longer than 2', () => {
    const b = createBalancer([10, 5]);
    const picks = Array.from({ length: 1500 }, () => b.pick());
    assert.equal(picks.filter((p) => p === 0).length, 1000);
    assert.equal(picks.filter((p) => p === 1).length, 500);
    let run = 1;
    let longest = 1;
    for (let i = 1; i < picks.length; i++) {
      run = picks[i] === picks[i - 1] ? run + 1 : 1;
      longest = Math.max(longest, run);
    }
    assert.equal(longest, 2);
  });

  test('weights 2:1 give a b a', () => {
    const b = createBalancer([2, 1]);
    assert.deepEqual([b.pick(), b.pick(), b.pick()], [0, 1, 0]);
  });

  test('skips targets that are not eligible and keeps the rest proportional', () => {
    const b = createBalancer([1, 1, 1]);
    const picks = Array.from({ length: 6 }, () => b.pick((i) => i !== 1));
    assert.deepEqual(picks, [0, 2, 0, 2, 0, 2]);
  });

  test('returns undefined when nothing is eligible', () => {
    assert.equal(createBalancer([3]).pick(() => false), undefined);
  });
});
