import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configSchema } from '../config/schema.ts';
import { secretSpellings } from '../core/secret-spellings.ts';
import { leaksSecret, redactSecrets, secretNeedles } from './secrets.ts';

const KEY = 'tok/live+0123456789=with==';
const needles = secretNeedles(configSchema.parse({ providers: [{ name: 'p', base_url: 'http://x/v1', api_keys: [KEY, 'abc123xyz'] }] }).providers[0] ?? assert.fail());

describe('provider key redaction (table)', () => {
  const cases: Array<[string, string, string]> = [
    ['exact', `bad key ${KEY} given`, 'bad key [redacted] given'],
    ['JSON-escaped slash (PHP, some Java)', '{"m":"bad key tok\\/live+0123456789=with=="}', '{"m":"bad key [redacted]"}'],
    // What follows a prefix is redacted up to the next space, quote, comma or semicolon.
    ['unicode-escaped + and = (Gson)', 'key tok/live\\u002b0123456789\\u003dwith\\u003d\\u003d, more', 'key [redacted], more'],
    ['upper-case unicode escapes', 'key tok\\u002Flive\\u002B0123456789== more', 'key [redacted] more'],
    ['percent-encoded', `url ?key=${encodeURIComponent(KEY)} more`, 'url ?key=[redacted] more'],
    ['a 14-character prefix', `key ${KEY.slice(0, 14)}... is wrong`, 'key [redacted] is wrong'],
    ['an 11-character prefix is left', `key ${KEY.slice(0, 11)}.`, `key ${KEY.slice(0, 11)}.`],
    ['a short secret whole', 'x abc123xyz y', 'x [redacted] y'],
    ['key shapes whoever owns them', 'Incorrect API key provided: sk-proj-abcdefgh1234', 'Incorrect API key provided: [redacted]'],
    ['nothing to do', 'quota exceeded', 'quota exceeded'],
  ];
  for (const [name, text, expected] of cases) {
    test(name, () => {
      assert.equal(redactSecrets(text, needles), expected);
      assert.equal(leaksSecret(Buffer.from(text), needles), text !== expected && !name.startsWith('key shapes'));
    });
  }
  test('a key with every escapable character has a bounded set of spellings', () => {
    assert.ok(secretSpellings('a/b+c=d<e>f&g\'h').length < 2000);
  });
});
