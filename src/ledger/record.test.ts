import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { idAtTime, isLedgerRoute, newRecordId } from './record.ts';

describe('record ids', () => {
  test('strictly increase within a process, fixed width, sort as time', () => {
    const ids = Array.from({ length: 10_000 }, () => newRecordId());
    assert.ok(ids.every((id) => id.length === 26));
    for (let i = 1; i < ids.length; i++) assert.ok((ids[i] as string) > (ids[i - 1] as string), `${ids[i]} after ${ids[i - 1]}`);
    assert.ok(idAtTime(Date.now() - 1000) < (ids[0] as string));
    assert.ok(idAtTime(Date.now() + 1000) > (ids[ids.length - 1] as string));
  });
});

describe('isLedgerRoute', () => {
  const cases: Array<[string, string, boolean]> = [
    ['/v1/chat/completions', '/v1/chat/completions', true],
    ['/v1/messages', '/v1/messages', true],
    ['unknown', '/v1/nope', true],
    ['/health', '/health', false],
    ['/ready', '/ready', false],
    ['/metrics', '/metrics', false],
    ['/admin/usage', '/admin/usage?from=1h', false],
    ['unknown', '/admin/nope', false],
    ['/dashboard', '/dashboard', false],
    ['unknown', '/dashboard/app.js', false],
  ];
  for (const [route, path, want] of cases) test(`${route} ${path} -> ${want}`, () => assert.equal(isLedgerRoute(route, path), want));
});
