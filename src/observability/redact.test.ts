import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { containsSecret, redactText, secretSpellings } from './redact.ts';

const KEY = 'tok_live_0123456789/with+slash==';
const SHORT = 'abc123xyz';

describe('redactText (table)', () => {
  const cases: Array<[string, string, string]> = [
    ['exact', `bad key ${KEY} given`, 'bad key [redacted] given'],
    ['JSON-escaped slash (PHP, some Java)', `{"m":"bad key tok_live_0123456789\\/with+slash=="}`, '{"m":"bad key [redacted]"}'],
    ['unicode-escaped + and = (Gson)', 'key tok_live_0123456789/with\\u002bslash\\u003d\\u003d.', 'key [redacted].'],
    ['upper-case unicode escapes', 'key tok_live_0123456789\\u002Fwith\\u002Bslash==.', 'key [redacted].'],
    ['percent-encoded', `url ?key=${encodeURIComponent(KEY)}&x=1`, 'url ?key=[redacted]&x=1'],
    ['a 24-character prefix', `key ${KEY.slice(0, 24)}... is wrong`, 'key [redacted]... is wrong'],
    ['a 12-character prefix', `key ${KEY.slice(0, 12)}.`, 'key [redacted].'],
    ['an 11-character prefix is left', `key ${KEY.slice(0, 11)}.`, `key ${KEY.slice(0, 11)}.`],
    ['twice', `${KEY} and ${KEY}`, '[redacted] and [redacted]'],
    ['a short secret only whole', `x ${SHORT} y ${SHORT.slice(0, 6)}`, `x [redacted] y ${SHORT.slice(0, 6)}`],
    ['key shapes whoever owns them', 'Incorrect API key provided: sk-proj-abcdefgh1234', 'Incorrect API key provided: [redacted]'],
    ['nothing to do', 'quota exceeded', 'quota exceeded'],
  ];
  for (const [name, text, expected] of cases) test(name, () => assert.equal(redactText(text, [KEY, SHORT]), expected));
});

describe('containsSecret and spellings', () => {
  test('finds each spelling', () => {
    for (const s of secretSpellings(KEY)) assert.equal(containsSecret(`"${s}"`, [KEY]), true, s);
    assert.equal(containsSecret('nothing here', [KEY]), false);
  });
  test('a key with several escapable characters has a bounded set of spellings', () => {
    assert.ok(secretSpellings('a/b+c=d<e>f&g\'h').length < 2000);
  });
  test('secrets under 6 characters are never matched', () => assert.equal(redactText('ab12 ab12', ['ab12']), 'ab12 ab12'));
});
