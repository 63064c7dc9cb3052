import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyRefresh, readToken, type RefreshedToken } from './oauth-file.ts';

const AT = Date.UTC(2026, 10, 23, 12, 0, 0);
const refreshed: RefreshedToken = { access_token: 'ya29.new', expiresAt: AT, expires_in: 3599, scope: 'https://www.googleapis.com/auth/cloud-platform', token_type: 'Bearer', id_token: 'id-new' };

describe('OAuth token formats', () => {
  const reads: Array<{ name: string; raw: unknown; expected: ReturnType<typeof readToken> }> = [
    { name: 'Gemini CLI file (expiry_date in ms)', raw: { access_token: 'a', refresh_token: 'r', expiry_date: 1_763_900_000_000 }, expected: { accessToken: 'a', refreshToken: 'r', expiresAt: 1_763_900_000_000 } },
    { name: 'Go oauth2.Token (RFC 3339 expiry with offset)', raw: { access_token: 'a', refresh_token: 'r', expiry: '2025-11-23T20:00:00.123456789+08:00' }, expected: { accessToken: 'a', refreshToken: 'r', expiresAt: Date.parse('2025-11-23T12:00:00.123Z') } },
    { name: "Go's zero time: no known expiry", raw: { access_token: 'a', refresh_token: 'r', expiry: '0001-01-01T00:00:00Z' }, expected: { accessToken: 'a', refreshToken: 'r', expiresAt: undefined } },
    { name: 'no access token yet', raw: { refresh_token: 'r' }, expected: { accessToken: '', refreshToken: 'r', expiresAt: undefined } },
    { name: 'no refresh token: not usable', raw: { access_token: 'a', expiry_date: 1 }, expected: undefined },
    { name: 'OpenAICompatible example placeholder', raw: {}, expected: undefined },
  ];
  for (const c of reads) test(`read: ${c.name}`, () => assert.deepEqual(readToken(c.raw), c.expected));

  test('write: the Gemini CLI format keeps ms and every unknown field', () => {
    const raw = { access_token: 'old', refresh_token: 'r', scope: 'old-scope', token_type: 'Bearer', id_token: 'id-old', expiry_date: 1, extra: [1] };
    assert.deepEqual(applyRefresh(raw, refreshed), { access_token: 'ya29.new', refresh_token: 'r', scope: refreshed.scope, token_type: 'Bearer', id_token: 'id-new', expiry_date: AT, extra: [1] });
  });

  test('write: the Go format keeps RFC 3339 and does not grow Gemini CLI fields', () => {
    const raw = { access_token: 'old', token_type: 'Bearer', refresh_token: 'r', expiry: '2020-01-01T00:00:00Z', expires_in: 100, note: 'x' };
    assert.deepEqual(applyRefresh(raw, refreshed), { access_token: 'ya29.new', token_type: 'Bearer', refresh_token: 'r', expiry: '2026-11-23T12:00:00.000Z', expires_in: 3599, note: 'x' });
  });

  test('write: a rotated refresh token replaces the old one', () => {
    assert.equal(applyRefresh({ refresh_token: 'old', expiry_date: 1 }, { ...refreshed, refresh_token: 'rotated' })['refresh_token'], 'rotated');
  });
});
