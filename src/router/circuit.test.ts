import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Circuit } from './circuit.ts';

describe('Circuit', () => {
  test('opens after threshold consecutive failures, not before', () => {
    const c = new Circuit({ threshold: 3, cooldownMs: 1000 });
    c.failure(0, 'e');
    c.failure(1, 'e');
    assert.equal(c.state(2), 'closed');
    c.failure(2, 'boom');
    assert.equal(c.state(3), 'open');
    assert.equal(c.canAttempt(3), false);
    assert.equal(c.reason, 'boom');
  });

  test('a success resets the failure count', () => {
    const c = new Circuit({ threshold: 2, cooldownMs: 1000 });
    c.failure(0, 'e');
    c.success();
    c.failure(1, 'e');
    assert.equal(c.state(2), 'closed');
  });

  test('after the cooldown exactly one trial goes through; its success closes the circuit', () => {
    const c = new Circuit({ threshold: 1, cooldownMs: 1000 });
    c.failure(0, 'e');
    assert.equal(c.state(999), 'open');
    assert.equal(c.state(1000), 'half-open');
    assert.equal(c.acquire(1000), true);
    assert.equal(c.acquire(1001), false, 'the trial slot is taken');
    assert.equal(c.canAttempt(1001), false);
    c.success();
    assert.equal(c.state(1002), 'closed');
    assert.equal(c.acquire(1002), true);
  });

  test('a failed trial opens the circuit for another cooldown', () => {
    const c = new Circuit({ threshold: 1, cooldownMs: 1000 });
    c.failure(0, 'e');
    assert.equal(c.acquire(1500), true);
    c.failure(1500, 'still down');
    assert.equal(c.state(2000), 'open');
    assert.equal(c.state(2500), 'half-open');
  });

  test('a trial that ended without a verdict frees the slot', () => {
    const c = new Circuit({ threshold: 1, cooldownMs: 10 });
    c.failure(0, 'e');
    assert.equal(c.acquire(20), true);
    c.release();
    assert.equal(c.acquire(21), true);
  });
});
