import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { statusVerdict } from './attempt-policy.ts';

describe('statusVerdict', () => {
  const table: Array<[status: number, retry: boolean, circuit: 'success' | 'failure', clientStatus: number, code: string | undefined, passBody: boolean]> = [
    [200, false, 'success', 200, undefined, false],
    [204, false, 'success', 200, undefined, false],
    [301, true, 'failure', 502, 'upstream_error', false],
    [302, true, 'failure', 502, 'upstream_error', false],
    [307, true, 'failure', 502, 'upstream_error', false],
    [400, false, 'success', 400, 'invalid_request', true],
    [401, true, 'failure', 502, 'upstream_error', false],
    [403, true, 'failure', 502, 'upstream_error', false],
    [404, false, 'success', 404, 'model_not_found', true],
    [408, true, 'failure', 502, 'upstream_error', false],
    [409, true, 'failure', 502, 'upstream_error', false],
    [413, false, 'success', 413, 'body_too_large', true],
    [422, false, 'success', 422, 'invalid_request', true],
    [425, true, 'failure', 502, 'upstream_error', false],
    [429, true, 'failure', 429, 'rate_limited', false],
    [500, true, 'failure', 502, 'upstream_error', false],
    [502, true, 'failure', 502, 'upstream_error', false],
    [503, true, 'failure', 502, 'upstream_error', false],
    [504, true, 'failure', 502, 'upstream_error', false],
    [529, true, 'failure', 502, 'upstream_error', false],
    [101, true, 'failure', 502, 'upstream_error', false],
  ];
  for (const [status, retry, circuit, clientStatus, code, passBody] of table) {
    test(`${status}: ${retry ? 'retried' : 'final'}, circuit ${circuit}, client sees ${clientStatus}`, () => {
      const v = statusVerdict(status);
      assert.deepEqual({ retry: v.retry, circuit: v.circuit, clientStatus: v.clientStatus, code: v.code, passBody: v.passBody }, { retry, circuit, clientStatus, code, passBody });
    });
  }
});
